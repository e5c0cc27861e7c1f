package io.signapi.common.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A request that reached its final state, published to {@link Topics#SIGN_RESULTS} for the notifier.
 *
 * @param signature present when {@code status} is SIGNED
 * @param email optional
 * @param webhook optional
 * @param reason optional: why a FAILED request failed
 */
@JsonPropertyOrder({"type", "version", "requestId", "status", "message", "signature", "email", "webhook", "attempts",
        "completedAt", "reason"})
@JsonIgnoreProperties(value = {"type", "version"}, allowGetters = true)
public record SignCompleted(UUID requestId, Status status, String message, String signature, String email,
        String webhook, int attempts, Instant completedAt, Reason reason) {

    /** How a request ended. */
    public enum Status {
        SIGNED, FAILED
    }

    /** Why a request ended FAILED. */
    public enum Reason {
        /** Not signed within {@code signing.max-age}. */
        EXPIRED,
        /** The upstream refused this message (a 4xx other than 401/403/429). */
        REJECTED
    }

    public SignCompleted {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(completedAt, "completedAt");
    }

    @JsonProperty("type")
    public String type() {
        return "SignCompleted";
    }

    @JsonProperty("version")
    public int version() {
        return 1;
    }
}
