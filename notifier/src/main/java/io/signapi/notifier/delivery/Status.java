package io.signapi.notifier.delivery;

/** The {@code notification.status} values (docs/ARCHITECTURE.md, "Notifier"). */
enum Status {
    /** Recorded from the event, not tried yet. */
    PENDING,
    /** The receiver took it; never sent again. */
    DELIVERED,
    /** Tried and failed; due again at {@code next_attempt_at}. */
    RETRYING,
    /** Permanently failed or out of retries; published to {@code sign.results.dlt}. */
    FAILED,
    /** Not sent: the webhook target is an internal address. */
    REFUSED;

    boolean isFinal() {
        return this != PENDING && this != RETRYING;
    }
}
