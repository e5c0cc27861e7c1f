package io.signapi.gateway.signing;

import org.jspecify.annotations.Nullable;

/**
 * A validated signing request.
 *
 * @param message        the text to sign (non-blank, within the size limit)
 * @param messageHash    its SHA-256 hex, the message's identity everywhere
 * @param email          where to mail a late signature, if given
 * @param webhook        where to post a late signature, if given
 * @param idempotencyKey the client's retry key, if given
 */
public record SignCommand(String message, String messageHash, @Nullable String email, @Nullable String webhook,
        @Nullable String idempotencyKey) {

    /** The sentence of a 202 body naming where the result will be sent. */
    public String deliveryDetail() {
        String target;
        if (email != null && webhook != null) {
            target = "emailed to " + email + " and posted to the webhook";
        } else if (email != null) {
            target = "emailed to " + email;
        } else if (webhook != null) {
            target = "posted to the webhook";
        } else {
            return "The signature will be available at the status URL when it is ready; no email or webhook was given.";
        }
        return "The signature will be " + target + " when it is ready, and shown at the status URL.";
    }
}
