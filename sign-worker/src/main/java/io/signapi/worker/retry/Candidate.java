package io.signapi.worker.retry;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A scheduled message as the slot policy sees it.
 *
 * @param messageHash    the message's identity
 * @param firstFailureAt its first known degradation (a {@code directFailedAt} counts); null if it never failed
 * @param lastFailureAt  its latest degradation; null if it never failed
 * @param nextAttemptAt  when it became (or becomes) due
 * @param oldestRequest  when its oldest pending request was accepted (ties go to the oldest request)
 */
public record Candidate(String messageHash, @Nullable Instant firstFailureAt, @Nullable Instant lastFailureAt,
        Instant nextAttemptAt, Instant oldestRequest) {

    /** Never seen degraded: its next call is a first call as far as the policy knows. */
    public boolean fresh() {
        return firstFailureAt == null;
    }
}
