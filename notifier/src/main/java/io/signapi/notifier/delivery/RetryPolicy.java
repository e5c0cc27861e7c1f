package io.signapi.notifier.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import org.jspecify.annotations.Nullable;

/**
 * When a failed delivery is tried again: {@code notifier.retry-schedule} with random jitter, no sooner than the
 * receiver's {@code Retry-After}, and never after {@code signing.max-age} from the request's completion.
 */
final class RetryPolicy {

    private final List<Duration> schedule;
    private final double jitter;
    private final Duration maxAge;
    private final DoubleSupplier random;

    RetryPolicy(List<Duration> schedule, double jitter, Duration maxAge) {
        this(schedule, jitter, maxAge, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in [0, 1) */
    RetryPolicy(List<Duration> schedule, double jitter, Duration maxAge, DoubleSupplier random) {
        this.schedule = List.copyOf(schedule);
        this.jitter = jitter;
        this.maxAge = maxAge;
        this.random = random;
    }

    /**
     * The next attempt after attempt number {@code attempt} (from 1) failed at {@code now}; empty when the schedule
     * is used up or the request's maximum age has passed.
     */
    Optional<Instant> next(int attempt, Instant now, Instant completedAt, @Nullable Duration retryAfter) {
        if (attempt > schedule.size()) {
            return Optional.empty();
        }
        Instant deadline = completedAt.plus(maxAge);
        if (!now.isBefore(deadline)) {
            return Optional.empty();
        }
        Duration base = schedule.get(attempt - 1);
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        Duration wait = Duration.ofNanos(Math.round(base.toNanos() * factor));
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter;
        }
        Instant next = now.plus(wait);
        // The last try falls on the deadline rather than being dropped.
        return Optional.of(next.isAfter(deadline) ? deadline : next);
    }
}
