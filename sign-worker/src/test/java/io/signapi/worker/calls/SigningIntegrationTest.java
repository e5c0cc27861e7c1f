package io.signapi.worker.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.signapi.common.event.SignRequested;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.worker.support.WorkerIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Queued requests get signed within the shared budget: a burst of distinct messages, and one degraded message. */
class SigningIntegrationTest extends WorkerIntegrationTest {

    private static final Logger log = LoggerFactory.getLogger(SigningIntegrationTest.class);

    @Test
    void signsFortyUniqueMessagesWithExactlyOneResultEachAndNeverExceedsTheLimit() {
        upstream.configure(Map.of("failureRate", 0.5, "degradedMinWindows", 0.5, "degradedMaxWindows", 2));
        List<SignRequested> requests = IntStream.range(0, 40).mapToObj(i -> request(freshMessage())).toList();
        Instant start = Instant.now();
        requests.forEach(this::publish);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(requests).size() >= 40);

        Map<String, Long> eventsPerRequest = resultsOf(requests).stream()
                .collect(Collectors.groupingBy(e -> e.get("requestId").asString(), Collectors.counting()));
        assertThat(eventsPerRequest).hasSize(40).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(resultsOf(requests)).allSatisfy(e -> {
            assertThat(e.get("status").asString()).isEqualTo("SIGNED");
            assertThat(e.get("signature").asString()).hasSize(344);
        });
        assertThat(upstream.stats().rateLimited()).isZero();
        List<CallRecord> calls = signCalls();
        assertThat(mostCallsInAnyWindow(calls)).isLessThanOrEqualTo(10);
        assertNoMessageCalledTwiceAtOnce(calls);

        Instant last = db.sql("SELECT MAX(completed_at) AS t FROM sign_request")
                .map(row -> row.get("t", Instant.class)).one().block();
        double drainWindows = Duration.between(start, last).toMillis() / (double) WINDOW.toMillis();
        log.info("40-message run: calls={} callsPerSignature={} drainWindows={}", calls.size(),
                String.format("%.2f", calls.size() / 40.0), String.format("%.1f", drainWindows));
    }

    @Test
    void callsOnceForEveryAttemptOfADegradedMessageAndFinishesAllTwentyRequests() {
        upstream.configure(Map.of("failureRate", 1, "degradedMinWindows", 1, "degradedMaxWindows", 1));
        String message = freshMessage();
        List<SignRequested> requests = IntStream.range(0, 20).mapToObj(i -> request(message)).toList();
        requests.forEach(this::publish);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(requests).size() >= 20);

        List<CallRecord> calls = signCalls();
        assertThat(calls).hasSizeGreaterThanOrEqualTo(2);
        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt")).isEqualTo(calls.size());
        assertThat(count("SELECT attempts AS n FROM sign_message")).isEqualTo(calls.size());
        Map<String, JsonNode> byId = resultsOf(requests).stream()
                .collect(Collectors.toMap(e -> e.get("requestId").asString(), Function.identity()));
        assertThat(byId).hasSize(20);
        for (SignRequested request : requests) {
            assertThat(byId.get(request.requestId().toString()).get("status").asString()).isEqualTo("SIGNED");
        }
        assertThat(resultsOf(requests)).hasSize(20);
    }
}
