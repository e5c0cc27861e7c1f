package io.signapi.gateway.backlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.signapi.common.backlog.BacklogStats;
import io.signapi.gateway.support.GatewayIntegrationTest;

/** A new request's estimate counts the requests this gateway accepted since the worker's last figures. */
class BurstEstimatesIntegrationTest extends GatewayIntegrationTest {

    @Autowired
    private BacklogReader backlog;

    @Test
    void givesTheRequestsOfOneBurstIncreasingEstimatesAndStartsAgainWithEachSnapshot() {
        Instant now = Instant.now();
        Optional<BacklogStats> first = Optional.of(new BacklogStats(4, 4, 2, now.minusMillis(500)));
        List<Instant> burst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            burst.add(backlog.estimateForNew(first, now));
        }
        // Each one more message ahead: 2 calls of the budget's limit per window + margin.
        Duration step = backlog.upstream().rateLimit().span().multipliedBy(2)
                .dividedBy(backlog.upstream().rateLimit().limit());
        for (int i = 1; i < burst.size(); i++) {
            assertThat(Duration.between(burst.get(i - 1), burst.get(i)))
                    .isBetween(step.minusMillis(1), step.plusMillis(1));
        }
        // The first of the burst is estimated as the status endpoint would, which counts no burst.
        assertThat(burst.getFirst()).isEqualTo(backlog.estimateReadyAt(first, now));

        Optional<BacklogStats> next = Optional.of(new BacklogStats(9, 9, 2, now));
        assertThat(backlog.estimateForNew(next, now)).isEqualTo(backlog.estimateReadyAt(next, now));
    }

    @Test
    void addsTheRecoveryOfAFailingFirstCallForTheShareThatNeedsRetries() {
        Instant now = Instant.now();
        Instant noRetries = backlog.estimateReadyAt(Optional.of(new BacklogStats(0, 0, 1, now)), now);
        Instant twoCalls = backlog.estimateReadyAt(Optional.of(new BacklogStats(0, 0, 2, now)), now);
        Duration window = backlog.upstream().rateLimit().window();
        // One more call's slot, plus gateway.degraded-recovery (2) windows of recovery.
        assertThat(Duration.between(noRetries, twoCalls)).isGreaterThanOrEqualTo(window.multipliedBy(2));
        assertThat(Duration.between(noRetries, twoCalls)).isLessThan(window.multipliedBy(3));
    }
}
