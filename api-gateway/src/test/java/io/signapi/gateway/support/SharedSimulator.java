package io.signapi.gateway.support;

import java.util.Map;

import io.signapi.simulator.SimulatorServer;

/** One upstream simulator for every integration test of the JVM, on a random port. */
public final class SharedSimulator {

    /** Fast, never failing, and never rate-limiting by itself: the gateway's own budget is under test. */
    public static final Map<String, Object> DEFAULTS = Map.of(
            "failureRate", 0,
            "latencyMinMillis", 5,
            "latencyMaxMillis", 15,
            "slowShare", 0,
            "outage", "none");

    private static SimulatorServer server;

    private SharedSimulator() {
    }

    public static synchronized SimulatorServer get() {
        if (server == null) {
            server = SimulatorServer.start(Map.of(
                    "upstream.rate-limit.limit", 100_000,
                    "upstream.rate-limit.window", "3s"));
            server.configure(DEFAULTS);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }
}
