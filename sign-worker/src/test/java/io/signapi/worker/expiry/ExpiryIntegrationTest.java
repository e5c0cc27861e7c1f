package io.signapi.worker.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.signapi.common.event.SignRequested;
import io.signapi.worker.support.WorkerIntegrationTest;
import tools.jackson.databind.JsonNode;

/** A request that cannot be signed within {@code signing.max-age} ends FAILED (EXPIRED), and its owner is told. */
class ExpiryIntegrationTest extends WorkerIntegrationTest {

    @Test
    void aMessageThatNeverRecoversEndsFailedExpiredWithItsEvent() {
        upstream.configure(Map.of("failureRate", 1, "degradedMinWindows", 1000, "degradedMaxWindows", 1000));
        pauseSharedWorker();
        try (ConfigurableApplicationContext other = startWorker("expiry-1", Map.of("signing.max-age", "5s"))) {
            SignRequested request = request(freshMessage());
            publish(request);

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(status(request.requestId())).isEqualTo("FAILED"));

            Map<String, Object> row = requestRow(request.requestId());
            assertThat(row.get("failure_reason")).isEqualTo("EXPIRED");
            assertThat(row.get("attempts")).isNotEqualTo(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> !resultsOf(request.requestId()).isEmpty());
            JsonNode event = resultsOf(request.requestId()).getFirst();
            assertThat(event.get("status").asString()).isEqualTo("FAILED");
            assertThat(event.get("reason").asString()).isEqualTo("EXPIRED");
            assertThat(event.has("signature")).isFalse();
            // No request is left waiting for it: the message leaves the schedule and no call is spent on it.
            assertThat(count("SELECT COUNT(*) AS n FROM sign_message WHERE next_attempt_at IS NOT NULL")).isZero();
            assertThat(signCalls()).isNotEmpty().allSatisfy(call -> assertThat(call.status()).isEqualTo(502));
        } finally {
            resumeSharedWorker();
        }
    }

    @Test
    void aNewRequestOfAMessageWhoseRequestsExpiredIsScheduledAgain() {
        pauseSharedWorker();
        String message = freshMessage();
        try (ConfigurableApplicationContext other = startWorker("expiry-2", Map.of("signing.max-age", "3s"))) {
            upstream.configure(Map.of("outage", "error"));
            SignRequested first = request(message);
            publish(first);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(status(first.requestId())).isEqualTo("FAILED"));
            // A call leased before the expiry ends (its outcome recorded, or its lease given back) and leaves the
            // message unscheduled: the new request does not wait for it.
            await().atMost(Duration.ofSeconds(10)).until(() -> count("""
                    SELECT COUNT(*) AS n FROM sign_message
                    WHERE claimed_by IS NULL AND next_attempt_at IS NULL""") == 1);

            upstream.configure(Map.of("outage", "none"));
            SignRequested second = request(message);
            publish(second);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(status(second.requestId())).isEqualTo("SIGNED"));
            assertThat(requestRow(first.requestId()).get("failure_reason")).isEqualTo("EXPIRED");
        } finally {
            resumeSharedWorker();
        }
    }
}
