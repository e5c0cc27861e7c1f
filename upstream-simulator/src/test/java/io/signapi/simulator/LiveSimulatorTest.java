package io.signapi.simulator;

import io.signapi.simulator.admin.SimulatorAdmin;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A test against the simulator on its random port. The context, and so the simulator, outlives the test, so each test
 * starts from cleared counters, call log, rate-limit window and degradation and the start-up config; {@link #upstream}
 * calls it as an upstream client does.
 */
@SimulatorTest
public abstract class LiveSimulatorTest {

    @Autowired
    protected WebTestClient web;

    @Autowired
    protected SimulatorAdmin admin;

    @LocalServerPort
    private int port;

    protected UpstreamCalls upstream;

    @BeforeEach
    protected void freshSimulator() {
        admin.reset();
        admin.restoreConfig();
        upstream = new UpstreamCalls(baseUrl());
    }

    /** Where the simulator under test answers. */
    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Asserts that a call gets no answer before its client gives up after {@code patience}. */
    protected static void expectNoAnswerWithin(Duration patience, Mono<?> call) {
        StepVerifier.create(call.timeout(patience))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(5));
    }
}
