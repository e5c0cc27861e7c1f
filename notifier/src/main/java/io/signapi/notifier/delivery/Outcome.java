package io.signapi.notifier.delivery;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** How one attempt at a delivery ended, as a channel reports it. */
public sealed interface Outcome {

    /** The receiver took it: the row becomes DELIVERED. */
    record Delivered() implements Outcome {
    }

    /**
     * A failure worth retrying (timeouts, connection errors, 5xx, 408, 429, an SMTP outage).
     *
     * @param notBefore the receiver's {@code Retry-After}, if it gave one
     */
    record Retry(String error, @Nullable Duration notBefore) implements Outcome {
        public Retry(String error) {
            this(error, null);
        }
    }

    /** A failure that no retry can fix (4xx, a malformed address): the row becomes FAILED. */
    record Failed(String error) implements Outcome {
    }

    /** The target is internal and private targets are not allowed: the row becomes REFUSED, nothing was sent. */
    record Refused(String error) implements Outcome {
    }

    static Outcome delivered() {
        return new Delivered();
    }
}
