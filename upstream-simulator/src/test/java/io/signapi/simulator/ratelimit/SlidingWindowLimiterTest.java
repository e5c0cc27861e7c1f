package io.signapi.simulator.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlidingWindowLimiterTest {

    private final SlidingWindowLimiter limiter = new SlidingWindowLimiter(3, Duration.ofSeconds(60));

    @Test
    void admitsLimitCallsInAWindowAndRefusesTheNext() {
        assertThat(limiter.tryAdmit(1_000)).isTrue();
        assertThat(limiter.tryAdmit(2_000)).isTrue();
        assertThat(limiter.tryAdmit(3_000)).isTrue();
        assertThat(limiter.tryAdmit(4_000)).isFalse();
        assertThat(limiter.maxInWindow()).isEqualTo(3);
    }

    @Test
    void slidesSoACallIsAdmittedExactlyOneWindowAfterTheOldest() {
        limiter.tryAdmit(1_000);
        limiter.tryAdmit(2_000);
        limiter.tryAdmit(3_000);

        assertThat(limiter.tryAdmit(60_999)).isFalse();
        assertThat(limiter.tryAdmit(61_000)).isTrue();
        assertThat(limiter.tryAdmit(61_500)).isFalse();
        assertThat(limiter.tryAdmit(62_000)).isTrue();
    }

    @Test
    void refusedCallTakesNoSlot() {
        limiter.tryAdmit(0);
        limiter.tryAdmit(0);
        limiter.tryAdmit(0);
        assertThat(limiter.tryAdmit(30_000)).isFalse();

        // Had the refused call at 30 s taken a slot, only two would be free at 60 s.
        assertThat(limiter.tryAdmit(60_000)).isTrue();
        assertThat(limiter.tryAdmit(60_000)).isTrue();
        assertThat(limiter.tryAdmit(60_000)).isTrue();
        assertThat(limiter.tryAdmit(60_000)).isFalse();
    }

    @Test
    void neverAdmitsMoreThanLimitInAnyWindow() {
        int admitted = 0;
        for (long at = 0; at < 600_000; at += 1_000) {
            if (limiter.tryAdmit(at)) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(30);
        assertThat(limiter.maxInWindow()).isEqualTo(3);
    }

    @Test
    void tracksTheMostCallsAdmittedInAnyWindowWhenTheLimitIsLifted() {
        SlidingWindowLimiter lifted = new SlidingWindowLimiter(1_000, Duration.ofSeconds(60));
        for (long at : new long[] {0, 10_000, 59_000, 59_999, 60_000, 119_500}) {
            assertThat(lifted.tryAdmit(at)).isTrue();
        }
        // (0, 60000] holds 10000, 59000, 59999, 60000.
        assertThat(lifted.maxInWindow()).isEqualTo(4);
    }

    @Test
    void stampsOutOfOrderNeverAdmitMoreThanLimit() {
        assertThat(limiter.tryAdmit(10_000)).isTrue();
        assertThat(limiter.tryAdmit(9_999)).isTrue();
        assertThat(limiter.tryAdmit(9_998)).isTrue();
        assertThat(limiter.tryAdmit(69_999)).isFalse();
        assertThat(limiter.tryAdmit(70_000)).isTrue();
    }

    @Test
    void resetClearsTheWindowAndTheMaximum() {
        limiter.tryAdmit(0);
        limiter.tryAdmit(0);
        limiter.tryAdmit(0);

        limiter.reset();

        assertThat(limiter.maxInWindow()).isZero();
        assertThat(limiter.tryAdmit(1)).isTrue();
    }
}
