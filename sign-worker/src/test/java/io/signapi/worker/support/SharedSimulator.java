package io.signapi.worker.support;

import java.util.Map;

import io.signapi.simulator.SimulatorServer;

/** One upstream simulator for every worker test of the JVM, enforcing the same budget the tests give the worker. */
public final class SharedSimulator {

    /** Fast and never failing unless a test says otherwise. */
    public static final Map<String, Object> DEFAULTS = Map.of(
            "failureRate", 0,
            "degradedMinWindows", 0.75,
            "degradedMaxWindows", 5,
            "latencyMinMillis", 5,
            "latencyMaxMillis", 20,
            "slowShare", 0,
            "outage", "none",
            "apiKey", "local-dev-key");

    private static SimulatorServer server;

    private SharedSimulator() {
    }

    public static synchronized SimulatorServer get() {
        if (server == null) {
            server = SimulatorServer.start(Map.of(
                    "upstream.rate-limit.limit", 10,
                    "upstream.rate-limit.window", "2s"));
            server.configure(DEFAULTS);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }
}
