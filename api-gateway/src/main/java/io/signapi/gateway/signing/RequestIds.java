package io.signapi.gateway.signing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The request id of an idempotent request, derived from its {@code Idempotency-Key} and message hash (a name-based
 * UUIDv8 over SHA-256, RFC 9562 appendix B.2), so a retry after a 503 gets the same id even when Redis lost the
 * mapping. Only someone holding both the key and the message can compute it, and they could replay the request to
 * learn it anyway.
 */
final class RequestIds {

    private static final byte[] NAMESPACE = "sign-api/idempotency-key/v1".getBytes(StandardCharsets.UTF_8);

    private RequestIds() {
    }

    static UUID forIdempotencyKey(String idempotencyKey, String messageHash) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        sha256.update(NAMESPACE);
        sha256.update((byte) 0);
        sha256.update(idempotencyKey.getBytes(StandardCharsets.US_ASCII));
        sha256.update((byte) 0);
        sha256.update(messageHash.getBytes(StandardCharsets.US_ASCII));
        byte[] bytes = sha256.digest();
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x80); // version 8
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, 16);
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
