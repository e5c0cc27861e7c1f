package io.signapi.simulator;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One in-process simulator per test class, reset before each test; register as a static {@code @RegisterExtension}. */
public final class RunningSimulator implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final Map<String, ?> settings;
    private SimulatorServer server;
    private UpstreamCalls calls;

    public RunningSimulator(Map<String, ?> settings) {
        this.settings = settings;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = SimulatorServer.start(settings);
        calls = new UpstreamCalls(server.baseUrl());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.reset();
        server.restoreConfig();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    public SimulatorServer server() {
        return server;
    }

    public UpstreamCalls calls() {
        return calls;
    }
}
