package io.signapi.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.signapi.common.MessageHash;
import io.signapi.common.event.SignRequested;
import io.signapi.testsupport.PrometheusText;
import io.signapi.worker.support.WorkerIntegrationTest;

/**
 * What an operator sees of the worker: the application tag, the budget, its group's consumer lag, the dead-letter
 * topics, zero-valued call series from the start, and one outcome line per finished request.
 */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTest extends WorkerIntegrationTest {

    private static final Map<String, String> REQUESTS_LAG = Map.of("application", "sign-worker",
            "group", "sign-worker", "topic", "sign.requests");

    @AfterEach
    void resume() {
        resumeSharedWorker();
    }

    private PrometheusText scrape() {
        return PrometheusText.scrape(web);
    }

    @Test
    void exposesTheBudgetDeadLettersAndEveryCallOutcomeTaggedWithTheApplication() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            PrometheusText scrape = scrape();
            assertThat(scrape.samples()).allSatisfy(s -> assertThat(s.labels()).as(s.name())
                    .containsEntry("application", "sign-worker"));
            assertThat(scrape.value("budget_slots_limit", Map.of())).isPresent();
            assertThat(scrape.value("budget_slots_used", Map.of()).orElseThrow()).isNotNaN();
            for (String topic : List.of("sign.requests.dlt", "sign.signatures.dlt", "sign.results.dlt")) {
                assertThat(scrape.value("dead_letter_records", Map.of("topic", topic)).orElseThrow()).as(topic)
                        .isGreaterThanOrEqualTo(0);
            }
        });
        PrometheusText scrape = scrape();
        for (String outcome : List.of("signed", "degraded", "failed", "rate_limited", "rejected")) {
            assertThat(scrape.value("upstream_calls_total", Map.of("caller", "worker", "outcome", outcome)))
                    .as(outcome).isPresent();
        }
        assertThat(scrape.names()).contains("worker_signature_latency_seconds_bucket", "worker_pending_requests",
                "worker_oldest_pending_seconds", "worker_rate_limited_total");
    }

    @Test
    void consumerLagGrowsWhileIntakeIsStoppedAndFallsBackOnceItResumes() {
        await().atMost(Duration.ofSeconds(15)).until(() -> lag() == 0);
        pauseSharedWorker();
        List<SignRequested> waiting = IntStream.range(0, 4).mapToObj(i -> request(freshMessage())).toList();
        waiting.forEach(this::publish);

        await().atMost(Duration.ofSeconds(15)).until(() -> lag() >= 4);

        resumeSharedWorker();
        await().atMost(Duration.ofSeconds(20)).until(() -> lag() == 0);
    }

    @Test
    void logsOneOutcomeLinePerFinishedRequestWithoutTheMessage(CapturedOutput output) {
        SignRequested request = request(freshMessage());
        publish(request);

        await().atMost(Duration.ofSeconds(20)).until(() -> output.getOut().contains(
                "result requestId=" + request.requestId()));
        String line = output.getOut().lines().filter(l -> l.contains("result requestId=" + request.requestId()))
                .findFirst().orElseThrow();
        assertThat(line).contains("hash=" + MessageHash.of(request.message()), "outcome=SIGNED")
                .containsPattern("durationMs=\\d+");
        assertThat(output.getAll()).doesNotContain(request.message());
    }

    private double lag() {
        return scrape().value("consumer_group_lag_records", REQUESTS_LAG).orElse(Double.NaN);
    }
}
