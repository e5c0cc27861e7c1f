package io.signapi.worker.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.signapi.common.event.SignRequested;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.worker.support.WorkerIntegrationTest;

/** Several worker instances on one database and one budget, and instances that stop and start mid-run. */
class InstancesIntegrationTest extends WorkerIntegrationTest {

    private ConfigurableApplicationContext second;
    private ConfigurableApplicationContext third;

    @AfterEach
    void stopTheOtherInstances() {
        for (ConfigurableApplicationContext other : new ConfigurableApplicationContext[] {second, third}) {
            if (other != null && other.isActive()) {
                other.close();
            }
        }
        resumeSharedWorker();
    }

    @Test
    void twoInstancesNeverCallOneMessageAtOnceAndStayWithinTheBudget() {
        upstream.configure(Map.of("failureRate", 0.5, "degradedMinWindows", 0.5, "degradedMaxWindows", 1.5));
        second = startWorker("second", Map.of());
        List<SignRequested> requests = IntStream.range(0, 30).mapToObj(i -> request(freshMessage())).toList();
        requests.forEach(this::publish);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == 30);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(requests).size() >= 30);

        List<CallRecord> calls = signCalls();
        Set<String> callers = calls.stream().map(CallRecord::caller).collect(Collectors.toSet());
        assertThat(callers).contains("sign-worker/second").hasSize(2);
        assertNoMessageCalledTwiceAtOnce(calls);
        assertThat(upstream.stats().rateLimited()).isZero();
        assertThat(mostCallsInAnyWindow(calls)).isLessThanOrEqualTo(10);
        assertThat(resultsOf(requests)).hasSize(30);
    }

    @Test
    void aWorkerRestartedMidRunCompletesEverythingWithoutDuplicates() {
        pauseSharedWorker();
        // Slow answers, so that a call is in flight when the first instance stops.
        upstream.configure(Map.of("failureRate", 0.5, "degradedMinWindows", 0.5, "degradedMaxWindows", 1.5,
                "latencyMinMillis", 150, "latencyMaxMillis", 250));
        second = startWorker("before-restart", Map.of());
        List<SignRequested> requests = IntStream.range(0, 30).mapToObj(i -> request(freshMessage())).toList();
        requests.forEach(this::publish);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") >= 8);
        second.close();
        long signedAtStop = count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'");
        assertThat(signedAtStop).isLessThan(30);
        third = startWorker("after-restart", Map.of());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == 30);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(requests).size() >= 30);

        assertThat(count("SELECT COUNT(*) AS n FROM sign_request")).isEqualTo(30);
        Map<String, Long> eventsPerRequest = resultsOf(requests).stream()
                .collect(Collectors.groupingBy(e -> e.get("requestId").asString(), Collectors.counting()));
        assertThat(eventsPerRequest).hasSize(30).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        List<CallRecord> calls = signCalls();
        assertThat(calls.stream().map(CallRecord::caller).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("sign-worker/before-restart", "sign-worker/after-restart");
        assertNoMessageCalledTwiceAtOnce(calls);
        assertThat(upstream.stats().rateLimited()).isZero();
        // Every call was recorded, the one in flight at the stop included, besides each instance's start-up probe.
        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt WHERE outcome <> 'PROBE'")).isEqualTo(calls.size());
        assertThat(count("SELECT COUNT(*) AS n FROM sign_attempt WHERE outcome = 'PROBE'")).isEqualTo(2);
    }
}
