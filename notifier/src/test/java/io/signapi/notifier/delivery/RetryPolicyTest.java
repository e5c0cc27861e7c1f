package io.signapi.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final List<Duration> SCHEDULE = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30));
    private static final Instant COMPLETED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void followsTheScheduleWithoutJitterAtTheMiddleOfTheRange() {
        RetryPolicy policy = new RetryPolicy(SCHEDULE, 0.2, Duration.ofHours(24), () -> 0.5);
        Instant now = COMPLETED.plusSeconds(1);

        assertThat(policy.next(1, now, COMPLETED, null)).contains(now.plusSeconds(5));
        assertThat(policy.next(2, now, COMPLETED, null)).contains(now.plus(Duration.ofMinutes(5)));
        assertThat(policy.next(3, now, COMPLETED, null)).contains(now.plus(Duration.ofMinutes(30)));
    }

    @Test
    void jittersByAtMostTwentyPercentEitherWay() {
        Instant now = COMPLETED.plusSeconds(1);

        assertThat(new RetryPolicy(SCHEDULE, 0.2, Duration.ofHours(24), () -> 0.0).next(2, now, COMPLETED, null))
                .contains(now.plus(Duration.ofMinutes(4)));
        assertThat(new RetryPolicy(SCHEDULE, 0.2, Duration.ofHours(24), () -> 0.999_999).next(2, now, COMPLETED,
                null)).hasValueSatisfying(next -> assertThat(next).isBetween(now.plus(Duration.ofSeconds(359)),
                now.plus(Duration.ofMinutes(6))));
        RetryPolicy random = new RetryPolicy(SCHEDULE, 0.2, Duration.ofHours(24));
        for (int i = 0; i < 1000; i++) {
            assertThat(random.next(1, now, COMPLETED, null)).hasValueSatisfying(next -> assertThat(next)
                    .isBetween(now.plusSeconds(4), now.plusSeconds(6)));
        }
    }

    @Test
    void isUsedUpAfterItsLastEntry() {
        RetryPolicy policy = new RetryPolicy(SCHEDULE, 0.2, Duration.ofHours(24), () -> 0.5);

        assertThat(policy.next(4, COMPLETED.plusSeconds(10), COMPLETED, null)).isEmpty();
    }

    @Test
    void waitsNoSoonerThanRetryAfter() {
        RetryPolicy policy = new RetryPolicy(SCHEDULE, 0.2, Duration.ofHours(24), () -> 0.5);
        Instant now = COMPLETED.plusSeconds(1);

        assertThat(policy.next(1, now, COMPLETED, Duration.ofSeconds(120))).contains(now.plusSeconds(120));
        assertThat(policy.next(1, now, COMPLETED, Duration.ofSeconds(1))).contains(now.plusSeconds(5));
    }

    @Test
    void neverSchedulesBeyondTheMaximumAgeAndStopsOnceItHasPassed() {
        RetryPolicy policy = new RetryPolicy(SCHEDULE, 0.2, Duration.ofMinutes(10), () -> 0.5);
        Instant now = COMPLETED.plus(Duration.ofMinutes(8));

        assertThat(policy.next(3, now, COMPLETED, null)).contains(COMPLETED.plus(Duration.ofMinutes(10)));
        assertThat(policy.next(1, COMPLETED.plus(Duration.ofMinutes(10)), COMPLETED, null)).isEmpty();
    }
}
