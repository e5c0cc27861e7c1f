package io.signapi.worker.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.RedisKeys;
import io.signapi.common.backlog.BacklogStats;
import io.signapi.common.event.SignRequested;
import io.signapi.worker.support.WorkerIntegrationTest;

/** The worker publishes its backlog figures to Redis, with an expiry, and as gauges. */
class BacklogStatsIntegrationTest extends WorkerIntegrationTest {

    @Autowired
    MeterRegistry meters;

    @Test
    void publishesDueMessagesAndPendingRequestsWithAnExpiryOfAFewRefreshes() {
        upstream.configure(Map.of("failureRate", 1, "degradedMinWindows", 5, "degradedMaxWindows", 5));
        String shared = freshMessage();
        for (SignRequested request : new SignRequested[] {request(shared), request(shared), request(freshMessage())}) {
            publish(request);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> stats()
                .filter(s -> s.pendingRequests() == 3 && s.dueMessages() == 2).isPresent());
        Long ttl = redis.getExpire(RedisKeys.BACKLOG_STATS).map(Duration::toMillis).block();
        assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(3).toMillis());
        assertThat(redis.opsForHash().keys(RedisKeys.BACKLOG_STATS).collectList().block())
                .containsExactlyInAnyOrder("dueMessages", "pendingRequests", "callsPerSignature", "updatedAt");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.get("worker.pending.requests").gauge().value()).isEqualTo(3);
            assertThat(meters.get("worker.due.messages").gauge().value()).isEqualTo(2);
            assertThat(meters.get("worker.oldest.pending").gauge().value()).isPositive();
        });
        // Every call so far failed: each signature costs at least all of them.
        await().atMost(Duration.ofSeconds(5)).until(() -> stats().orElseThrow().callsPerSignature() >= 2);
    }

    private Optional<BacklogStats> stats() {
        Map<String, String> hash = redis.<String, String>opsForHash().entries(RedisKeys.BACKLOG_STATS)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).block();
        return BacklogStats.fromHash(hash);
    }
}
