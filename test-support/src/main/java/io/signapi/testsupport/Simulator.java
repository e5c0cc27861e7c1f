package io.signapi.testsupport;

import io.signapi.simulator.admin.CallRecord;
import io.signapi.simulator.admin.Stats;
import io.signapi.simulator.degradation.Plan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The project's upstream simulator as the upstream of a test: one JVM-wide instance that integration tests share,
 * or one per test class; either, registered as an extension, is reset and given back its start config before each
 * test.
 *
 * <pre>{@code
 * // Shared: started on first use, closed when the JVM exits.
 * @DynamicPropertySource
 * static void upstream(DynamicPropertyRegistry registry) {
 *     registry.add("upstream.base-url", () -> Simulator.shared().baseUrl());
 * }
 *
 * // Per class, with its own start settings:
 * @RegisterExtension
 * static final Simulator upstream = Simulator.perClass(Map.of("upstream.rate-limit.limit", 2));
 * }</pre>
 */
public final class Simulator implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    /**
     * The shared instance's start settings: fast, never failing, and never rate-limiting by itself (a module's own
     * budget is what its tests exercise). {@link #restoreConfig()} goes back to these.
     */
    public static final Map<String, Object> SHARED_SETTINGS = Map.of(
            "simulator.failure-rate", 0,
            "simulator.latency-min", "5ms",
            "simulator.latency-max", "15ms",
            "simulator.slow-share", 0,
            "simulator.outage", "none",
            "upstream.rate-limit.limit", 100_000,
            "upstream.rate-limit.window", "3s");

    private static Simulator shared;

    private final Map<String, ?> settings;
    private final boolean jvmWide;
    private SimulatorServer server;

    private Simulator(Map<String, ?> settings, boolean jvmWide) {
        this.settings = Map.copyOf(settings);
        this.jvmWide = jvmWide;
    }

    /** The JVM-wide instance, started with {@link #SHARED_SETTINGS} on first use and closed when the JVM exits. */
    public static synchronized Simulator shared() {
        if (shared == null) {
            shared = new Simulator(SHARED_SETTINGS, true);
            SimulatorServer server = shared.server();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "simulator-shutdown"));
        }
        return shared;
    }

    /**
     * An instance for one test class, to register as a static {@code @RegisterExtension}: started before the class's
     * first test (or on first use), closed after its last. {@code settings} are start-up properties such as
     * {@code upstream.rate-limit.window} or {@code simulator.seed}.
     */
    public static Simulator perClass(Map<String, ?> settings) {
        return new Simulator(settings, false);
    }

    /** The running launcher, started now if need be. */
    public synchronized SimulatorServer server() {
        if (server == null) {
            server = SimulatorServer.start(settings);
        }
        return server;
    }

    public int port() {
        return server().port();
    }

    /** {@code http://127.0.0.1:<port>}, to use as {@code upstream.base-url}. */
    public String baseUrl() {
        return server().baseUrl();
    }

    /** The same figures as {@code GET /__sim/stats}. */
    public Stats stats() {
        return server().stats();
    }

    /** The call log, oldest first, as {@code GET /__sim/calls}. */
    public List<CallRecord> calls() {
        return server().calls();
    }

    /** As {@code POST /__sim/reset}: clears counters, the log, the rate-limit window and message degradation. */
    public void reset() {
        server().reset();
    }

    /** As {@code POST /__sim/config}, e.g. {@code Map.of("failureRate", 1)}; answers the whole config. */
    public Map<String, Object> configure(Map<String, ?> changes) {
        return server().configure(changes);
    }

    /** Goes back to the start config (a {@link #reset()} keeps config changes); answers it. */
    public Map<String, Object> restoreConfig() {
        return server().restoreConfig();
    }

    /** The whole current config, as {@code GET /__sim/config}. */
    public Map<String, Object> config() {
        return server().config();
    }

    /** As {@code GET /__sim/plan}: whether the message's first call fails and for how long it then stays degraded. */
    public Plan plan(String message) {
        return server().plan(message);
    }

    /** {@link #reset()} and {@link #restoreConfig()}: what the extension does before each test. */
    public void fresh() {
        reset();
        restoreConfig();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        fresh();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (!jvmWide && server != null) {
            server.close();
            server = null;
        }
    }
}
