package io.signapi.worker.retry;

import java.time.Duration;
import java.time.Instant;

import org.springframework.stereotype.Component;

import io.signapi.common.upstream.UpstreamProperties;

/**
 * When a message is tried again, a simple first policy scaled from the rate-limit window: after a degradation half
 * a window, doubling with each further failure up to two windows (the upstream's degradations last about one to
 * five windows); after a failed call (timeout, I/O error) half a window.
 */
@Component
public class RetryBackoff {

    private static final int MAX_DOUBLINGS = 2;

    private final Duration base;

    RetryBackoff(UpstreamProperties upstream) {
        this.base = upstream.rateLimit().window().dividedBy(2);
    }

    /** The next attempt after the {@code failures}-th degraded answer (1 for the first) at {@code at}. */
    public Instant afterDegraded(Instant at, long failures) {
        long doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
        return at.plus(base.multipliedBy(1L << doublings));
    }

    /** The next attempt after a call that failed without an answer about the message. */
    public Instant afterFailed(Instant at) {
        return at.plus(base);
    }
}
