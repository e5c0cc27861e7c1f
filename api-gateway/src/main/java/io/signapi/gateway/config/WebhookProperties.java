package io.signapi.gateway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook settings shared with the notifier ({@code webhook.*}).
 *
 * @param allowPrivate whether loopback, private and link-local webhook targets are accepted (local stack only)
 */
@ConfigurationProperties("webhook")
public record WebhookProperties(@DefaultValue("false") boolean allowPrivate) {
}
