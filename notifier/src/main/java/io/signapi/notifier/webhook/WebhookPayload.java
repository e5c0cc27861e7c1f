package io.signapi.notifier.webhook;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.delivery.Delivery;

/**
 * The JSON body of a webhook delivery; absent fields are omitted.
 *
 * @param attempts the upstream calls the request took
 * @param reason   why a FAILED request failed, when known
 */
@JsonPropertyOrder({"requestId", "status", "message", "signature", "attempts", "completedAt", "reason"})
record WebhookPayload(UUID requestId, SignCompleted.Status status, String message, @Nullable String signature,
        int attempts, Instant completedAt, SignCompleted.@Nullable Reason reason) {

    static WebhookPayload of(Delivery delivery) {
        return new WebhookPayload(delivery.requestId(), delivery.status(), delivery.message(), delivery.signature(),
                delivery.attempts(), delivery.completedAt(), delivery.reason());
    }
}
