package io.signapi.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.signapi.common.upstream.UpstreamProperties;

/** The worker's derived defaults follow the budget; explicit settings win. */
class WorkerPropertiesTest {

    private static final UpstreamProperties UPSTREAM = UpstreamProperties.defaults();

    @Test
    void theLeaseDefaultsToBudgetSpanPlusUpstreamTimeoutPlusMargin() {
        WorkerProperties worker = defaults(null, null);

        // 60 s window + 1 s margin, 10 s timeout, 1 s margin.
        assertThat(worker.effectiveLease(UPSTREAM)).isEqualTo(Duration.ofSeconds(72));
        assertThat(worker.effectiveMaxWait(UPSTREAM)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void explicitLeaseAndMaxWaitWin() {
        WorkerProperties worker = defaults(Duration.ofSeconds(7), Duration.ofSeconds(9));

        assertThat(worker.effectiveLease(UPSTREAM)).isEqualTo(Duration.ofSeconds(7));
        assertThat(worker.effectiveMaxWait(UPSTREAM)).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void eachContextGetsItsOwnInstanceIdUnlessOneIsGiven() {
        assertThat(defaults(null, null).instanceId()).isNotEqualTo(defaults(null, null).instanceId());
        WorkerProperties named = new WorkerProperties(" worker-1 ", null, null, null, null, null, null, null, null);
        assertThat(named.instanceId()).isEqualTo("worker-1");
        assertThat(named.callerName()).isEqualTo("sign-worker/worker-1");
    }

    @Test
    void refusesAnInstanceIdTooLongForTheLeaseColumn() {
        assertThatThrownBy(() -> new WorkerProperties("x".repeat(49), null, null, null, null, null, null, null, null))
                .hasMessageContaining("worker.instance-id");
    }

    private static WorkerProperties defaults(Duration lease, Duration maxWait) {
        return new WorkerProperties(null, null, lease, maxWait, null, null, null, null, null);
    }
}
