package io.signapi.gateway.signing;

import java.time.Duration;

/** The time left to answer one request, started when the request reached the sign flow. */
record Deadline(long startNanos, Duration total) {

    static Deadline start(Duration total) {
        return new Deadline(System.nanoTime(), total);
    }

    Duration remaining() {
        Duration left = total.minusNanos(System.nanoTime() - startNanos);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
