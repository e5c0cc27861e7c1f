package io.signapi.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;

import io.signapi.common.RedisKeys;
import io.signapi.common.upstream.UpstreamProbe;
import io.signapi.testsupport.HttpReceiver;
import io.signapi.worker.support.WorkerIntegrationTest;

/**
 * The safety interlock as a worker starts: with the tests' shrunken budget (10 calls in 2 s) each start makes one
 * probe of the upstream, within a budget slot and recorded in {@code sign_attempt}; without the simulator's
 * announcement the worker does not start.
 */
class StartUpProbeIntegrationTest extends WorkerIntegrationTest {

    private ConfigurableApplicationContext started;

    @AfterEach
    void stopTheStartedInstance() {
        if (started != null && started.isActive()) {
            started.close();
        }
    }

    @Test
    void aStartingWorkerProbesTheSimulatorOnceWithinABudgetSlotAndRecordsIt() {
        started = startWorker("probing", Map.of());

        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt WHERE instance_id = 'probing' AND outcome = 'PROBE'"
                + " AND caller = 'WORKER' AND http_status = 200 AND message_hash = '" + UpstreamProbe.PROBE_MESSAGE_HASH
                + "'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt")).isEqualTo(1);
        assertThat(redis.opsForZSet().size(RedisKeys.BUDGET_UPSTREAM).block(Duration.ofSeconds(5))).isEqualTo(1);
        // GET / is no sign call: the simulator's call log stays empty.
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void refusesToStartWithTheShrunkenBudgetAgainstAnUpstreamThatDoesNotAnnounceTheSimulator() {
        try (HttpReceiver notTheSimulator = HttpReceiver.start()) {
            assertThatThrownBy(() -> started = startWorker("refused",
                    Map.of("upstream.base-url", notTheSimulator.url())))
                    .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e))
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageStartingWith("Refusing to start")
                            .hasMessageContaining("answered 200 without the simulator's announcement"));
            assertThat(notTheSimulator.requests()).singleElement()
                    .satisfies(request -> assertThat(request.path()).isEqualTo("/"));
        }
        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt WHERE instance_id = 'refused'"
                + " AND outcome = 'PROBE'")).isEqualTo(1);
    }
}
