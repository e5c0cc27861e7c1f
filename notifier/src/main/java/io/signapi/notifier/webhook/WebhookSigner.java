package io.signapi.notifier.webhook;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.springframework.stereotype.Component;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;

import io.signapi.common.config.WebhookProperties;
import io.signapi.common.upstream.UpstreamProperties;

/**
 * Signs webhook deliveries the Standard Webhooks way under {@code webhook.secret}, plus one signature per
 * {@code webhook.previous-secrets} while a secret is rotated. Start-up fails on a malformed secret, and on the
 * documented local secret while {@code upstream.base-url} is not a loopback address (a real deployment).
 */
@Component
class WebhookSigner {

    static final String PREFIX = "whsec_";
    static final int MIN_KEY_BYTES = 24;

    private final List<Webhook> keys = new ArrayList<>();

    WebhookSigner(WebhookProperties webhook, UpstreamProperties upstream) {
        keys.add(key("webhook.secret", webhook.secret()));
        for (int i = 0; i < webhook.previousSecrets().size(); i++) {
            keys.add(key("webhook.previous-secrets[" + i + "]", webhook.previousSecrets().get(i)));
        }
        if (!UpstreamProperties.isLoopback(upstream.baseUrl())
                && (webhook.usesLocalSecret() || webhook.previousSecrets().contains(WebhookProperties.LOCAL_SECRET))) {
            throw new IllegalStateException(("Refusing to start: webhook.secret is the documented local secret, but"
                    + " upstream.base-url %s is not a loopback address, so this is treated as a real deployment in"
                    + " which anyone could forge our webhooks. Set WEBHOOK_SECRET to a secret of your own: whsec_"
                    + " followed by base64 of at least %d random bytes.").formatted(upstream.baseUrl(),
                    MIN_KEY_BYTES));
        }
    }

    /** The {@code webhook-signature} header: {@code v1,<base64>} per secret, space-separated. */
    String sign(String id, long timestamp, String body) {
        List<String> signatures = new ArrayList<>(keys.size());
        for (Webhook key : keys) {
            try {
                signatures.add(key.sign(id, timestamp, body));
            } catch (WebhookSigningException e) {
                throw new IllegalStateException("could not sign webhook " + id, e);
            }
        }
        return String.join(" ", signatures);
    }

    private static Webhook key(String name, String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException(name + " is missing: set it to whsec_ followed by base64 of at least "
                    + MIN_KEY_BYTES + " random bytes");
        }
        if (!secret.startsWith(PREFIX)) {
            throw new IllegalStateException(name + " must start with " + PREFIX
                    + " followed by base64 of at least " + MIN_KEY_BYTES + " random bytes");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + " is not " + PREFIX + " followed by valid base64");
        }
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalStateException(name + " holds " + bytes.length + " bytes after " + PREFIX
                    + "; at least " + MIN_KEY_BYTES + " are needed");
        }
        return new Webhook(bytes);
    }
}
