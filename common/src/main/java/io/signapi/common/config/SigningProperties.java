package io.signapi.common.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Signing settings shared with the worker and notifier ({@code signing.*}).
 *
 * @param maxAge how long a request may wait for its signature; also the idempotency window
 */
@ConfigurationProperties("signing")
public record SigningProperties(@DefaultValue("24h") Duration maxAge) {
}
