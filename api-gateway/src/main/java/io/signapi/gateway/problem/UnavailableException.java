package io.signapi.gateway.problem;

import java.time.Duration;

/** The request cannot be served or made durable now; answered 503 with {@code Retry-After}. */
public class UnavailableException extends RuntimeException {

    private final Duration retryAfter;

    public UnavailableException(String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whole seconds for the header, never less than one. */
    public long retryAfterSeconds() {
        long millis = retryAfter.toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }
}
