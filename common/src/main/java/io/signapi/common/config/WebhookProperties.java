package io.signapi.common.config;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook settings ({@code webhook.*}), read by the gateway (target validation) and the notifier (delivery).
 *
 * @param allowPrivate    whether loopback, private and link-local webhook targets are accepted (local stack only)
 * @param secret          the Standard Webhooks signing secret, {@code whsec_} followed by base64 of at least 24
 *                        bytes; the default is for the local stack only
 * @param previousSecrets older secrets still signed with while receivers move to {@link #secret}
 */
@ConfigurationProperties("webhook")
public record WebhookProperties(
        @DefaultValue("false") boolean allowPrivate,
        @DefaultValue(LOCAL_SECRET) String secret,
        @DefaultValue List<String> previousSecrets) {

    /** The documented local default, base64 of {@code local-dev-webhook-secret}; never for a real deployment. */
    public static final String LOCAL_SECRET = "whsec_bG9jYWwtZGV2LXdlYmhvb2stc2VjcmV0";

    public WebhookProperties {
        previousSecrets = previousSecrets == null ? List.of() : List.copyOf(previousSecrets);
    }

    /** True while the secret is the documented local default. */
    public boolean usesLocalSecret() {
        return LOCAL_SECRET.equals(secret);
    }

    @Override
    public String toString() {
        return "WebhookProperties[allowPrivate=" + allowPrivate + ", secret=****, previousSecrets="
                + previousSecrets.size() + "]";
    }
}
