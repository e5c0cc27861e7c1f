package io.signapi.common.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.Objects;

/**
 * A signature the upstream produced for a message, published to {@link Topics#SIGN_SIGNATURES}.
 *
 * @param obtainedBy optional: who made the call, {@code <app>/<instance-id>} (e.g. {@code sign-worker/host-1a2b3c}),
 *     so an instance recognises its own successes
 */
@JsonPropertyOrder({"type", "version", "messageHash", "message", "signature", "obtainedAt", "obtainedBy"})
@JsonIgnoreProperties(value = {"type", "version"}, allowGetters = true)
public record SignatureObtained(String messageHash, String message, String signature, Instant obtainedAt,
        String obtainedBy) {

    public SignatureObtained {
        Objects.requireNonNull(messageHash, "messageHash");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(obtainedAt, "obtainedAt");
    }

    @JsonProperty("type")
    public String type() {
        return "SignatureObtained";
    }

    @JsonProperty("version")
    public int version() {
        return 1;
    }
}
