package io.signapi.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.function.client.WebClient;

import io.signapi.common.RedisKeys;
import io.signapi.common.budget.Admission;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.event.SignRequested;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.worker.support.WorkerIntegrationTest;
import tools.jackson.databind.JsonNode;

/** What the worker does when the upstream refuses: a 429, a refused key, a refused message. */
class UpstreamRefusalsIntegrationTest extends WorkerIntegrationTest {

    @Autowired
    UpstreamBudget budget;

    @Test
    void a429PausesEveryCallerForOneWindow() {
        // Someone else used the key: the upstream's window is full while our budget is empty.
        WebClient other = WebClient.create(upstream.baseUrl());
        for (int i = 0; i < 10; i++) {
            other.get().uri(uri -> uri.path("/crypto/sign").queryParam("message", "elsewhere").build())
                    .header("Authorization", "local-dev-key").retrieve().toBodilessEntity().block();
        }
        SignRequested request = request(freshMessage());
        publish(request);

        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.stats().rateLimited() == 1);
        // The simulator counts the 429 as it answers; the worker pauses the budget once the answer has reached it.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Boolean.TRUE.equals(redis.hasKey(RedisKeys.BUDGET_PAUSED_UNTIL).block()));
        Admission gateway = budget.tryAcquire(Caller.GATEWAY).block();
        assertThat(gateway.granted()).isFalse();
        assertThat(gateway.waitFor()).isGreaterThan(WINDOW.dividedBy(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> "SIGNED".equals(status(request.requestId())));
        List<CallRecord> ours = signCalls().stream().filter(c -> c.message().equals(request.message())).toList();
        assertThat(ours).hasSize(2);
        assertThat(ours.get(0).status()).isEqualTo(429);
        assertThat(ours.get(1).at() - ours.get(0).at()).isGreaterThanOrEqualTo(WINDOW.toMillis());
        // A 429 is not a degradation of the message and burns none of its attempts.
        assertThat(requestRow(request.requestId()).get("attempts")).isEqualTo(1);
        assertThat(upstream.stats().rateLimited()).isEqualTo(1);
    }

    @Test
    void aRefusedKeyStopsCallsAndTakesReadinessDownUntilTheKeyIsAcceptedAgain() {
        upstream.configure(Map.of("apiKey", "a-rotated-key"));
        SignRequested first = request(freshMessage());
        SignRequested second = request(freshMessage());
        publish(first);
        publish(second);

        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.stats().unauthorized() >= 1);
        // The simulator counts the refusal as it answers; readiness goes down once the answer has reached the worker.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> web.get().uri("/actuator/health/readiness")
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.components.rejectedKey.details.reason").isEqualTo("rejected-key"));
        // One probe per window at most: within two windows no more than three refused calls.
        await().during(WINDOW.multipliedBy(2)).atMost(WINDOW.multipliedBy(3))
                .until(() -> upstream.stats().unauthorized() <= 3);
        assertThat(status(first.requestId())).isEqualTo("PENDING");
        assertThat(requestRow(first.requestId()).get("attempts")).isEqualTo(0);

        upstream.configure(Map.of("apiKey", "local-dev-key"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "SIGNED".equals(status(first.requestId()))
                && "SIGNED".equals(status(second.requestId())));
        web.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }

    @Test
    void aMessageTheUpstreamRefusesFailsOnlyItsOwnRequests() {
        // Percent-encoded, this message makes a request line longer than the upstream accepts: it answers 414.
        String refused = "&".repeat(30_000);
        SignRequested first = request(refused);
        SignRequested again = request(refused);
        SignRequested other = request(freshMessage());
        publish(first);
        publish(again);
        publish(other);

        await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(status(first.requestId()))
                && "FAILED".equals(status(again.requestId())) && "SIGNED".equals(status(other.requestId())));
        assertThat(requestRow(first.requestId()).get("failure_reason")).isEqualTo("REJECTED");
        await().atMost(Duration.ofSeconds(5)).until(() -> resultsOf(first.requestId()).size() == 1
                && resultsOf(again.requestId()).size() == 1);
        JsonNode result = resultsOf(first.requestId()).getFirst();
        assertThat(result.get("status").asString()).isEqualTo("FAILED");
        assertThat(result.get("reason").asString()).isEqualTo("REJECTED");
        assertThat(result.has("signature")).isFalse();
        // A refused message is not retried.
        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt WHERE outcome = 'REJECTED'")).isEqualTo(1);
    }
}
