package io.signapi.notifier.delivery;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.signapi.common.event.SignCompleted;

/**
 * What one delivery sends, read from {@code sign_request} and {@code sign_message} when it is due, so that a retry
 * hours later needs no Kafka record.
 *
 * @param attempt   this delivery's attempt number, from 1
 * @param attempts  the upstream calls the request took (the event's {@code attempts})
 * @param signature present when {@code status} is SIGNED
 * @param reason    present for some FAILED requests
 */
public record Delivery(UUID requestId, Channel channel, int attempt, SignCompleted.Status status, String message,
        @Nullable String signature, @Nullable String email, @Nullable String webhook, int attempts,
        Instant completedAt, SignCompleted.@Nullable Reason reason) {

    /** The request's result event, rebuilt from the tables, naming only this delivery's target. */
    public SignCompleted toEvent() {
        return new SignCompleted(requestId, status, message, signature, channel == Channel.EMAIL ? email : null,
                channel == Channel.WEBHOOK ? webhook : null, attempts, completedAt, reason);
    }
}
