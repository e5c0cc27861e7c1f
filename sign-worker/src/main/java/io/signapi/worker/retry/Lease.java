package io.signapi.worker.retry;

import java.time.Instant;

/**
 * A message this instance holds until {@code until}: no other instance calls the upstream for it meanwhile.
 *
 * @param messageHash the message's identity
 * @param message     the text to sign (never logged)
 * @param until       when the lease lapses unless renewed
 */
public record Lease(String messageHash, String message, Instant until) {

    @Override
    public String toString() {
        return "Lease[hash=" + messageHash + ", until=" + until + "]";
    }
}
