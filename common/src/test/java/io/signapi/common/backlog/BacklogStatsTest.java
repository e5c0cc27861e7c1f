package io.signapi.common.backlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BacklogStatsTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    // 10 calls per 60 s + 1 s margin: one call per 6.1 s on average.
    private static final UpstreamProperties PROPS = UpstreamProperties.defaults();

    @Test
    void roundTripsThroughTheRedisHash() {
        BacklogStats stats = new BacklogStats(12, 40, 1.75, Instant.ofEpochMilli(1_767_323_045_123L));

        Map<String, String> hash = stats.toHash();

        assertThat(hash).containsOnly(Map.entry("dueMessages", "12"), Map.entry("pendingRequests", "40"),
                Map.entry("callsPerSignature", "1.75"), Map.entry("updatedAt", "1767323045123"));
        assertThat(BacklogStats.fromHash(hash)).contains(stats);
    }

    @Test
    void readsNothingFromAnAbsentOrBrokenHash() {
        Map<String, String> broken = new HashMap<>(new BacklogStats(1, 1, 1, NOW).toHash());
        broken.put("dueMessages", "many");

        assertThat(BacklogStats.fromHash(Map.of())).isEmpty();
        assertThat(BacklogStats.fromHash(null)).isEmpty();
        assertThat(BacklogStats.fromHash(broken)).isEmpty();
        assertThat(BacklogStats.fromHash(Map.of("dueMessages", "1"))).isEmpty();
    }

    @Test
    void estimatesTheBacklogAheadPlusThisMessageAtTheWholeBudget() {
        BacklogStats stats = new BacklogStats(19, 25, 2.0, NOW);

        // (19 + 1) messages x 2 calls = 40 calls = 4 spans of 61 s.
        assertThat(stats.estimateReadyAt(NOW, PROPS)).isEqualTo(NOW.plusSeconds(244));
    }

    @Test
    void treatsAnUnknownCallRatioAsOneCallPerSignature() {
        BacklogStats stats = new BacklogStats(9, 9, Double.NaN, NOW);

        assertThat(stats.callsPerSignature()).isEqualTo(1.0);
        assertThat(stats.estimateReadyAt(NOW, PROPS)).isEqualTo(NOW.plusSeconds(61));
    }

    @Test
    void scalesWithAShrunkenWindow() {
        UpstreamProperties fast = new UpstreamProperties(URI.create("http://127.0.0.1:5005"), "k", null,
                new RateLimit(10, Duration.ofSeconds(2), null, 5));
        BacklogStats stats = new BacklogStats(4, 4, 1.0, NOW);

        // 5 calls = half a span of 2.25 s.
        assertThat(stats.estimateReadyAt(NOW, fast)).isEqualTo(NOW.plusMillis(1125));
    }

    @Test
    void admitsOnlyWhatCanBeSignedWithinTheMaximumAge() {
        BacklogStats stats = new BacklogStats(9_999, 10_000, 1.0, NOW);

        // 10 000 calls = 1000 spans of 61 s = 61 000 s, about 17 h.
        assertThat(stats.canServeWithin(Duration.ofHours(24), NOW, PROPS)).isTrue();
        assertThat(stats.canServeWithin(Duration.ofHours(16), NOW, PROPS)).isFalse();
        assertThat(stats.canServeWithin(Duration.ofSeconds(61_000), NOW, PROPS)).isTrue();
    }
}
