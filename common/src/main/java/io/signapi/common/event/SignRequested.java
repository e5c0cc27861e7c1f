package io.signapi.common.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.signapi.common.MessageHash;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A request accepted by the gateway for later signing, published to {@link Topics#SIGN_REQUESTS}.
 *
 * @param email optional
 * @param webhook optional
 * @param idempotencyKey optional
 * @param directFailedAt optional: when the gateway's direct upstream call for this request just failed
 */
@JsonPropertyOrder({"type", "version", "requestId", "message", "email", "webhook", "idempotencyKey", "acceptedAt",
        "directFailedAt"})
@JsonIgnoreProperties(value = {"type", "version"}, allowGetters = true)
public record SignRequested(UUID requestId, String message, String email, String webhook, String idempotencyKey,
        Instant acceptedAt, Instant directFailedAt) {

    public SignRequested {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
    }

    @JsonProperty("type")
    public String type() {
        return "SignRequested";
    }

    @JsonProperty("version")
    public int version() {
        return 1;
    }

    /** The Kafka key and the identity of the message everywhere else. */
    @JsonIgnore
    public String messageHash() {
        return MessageHash.of(message);
    }
}
