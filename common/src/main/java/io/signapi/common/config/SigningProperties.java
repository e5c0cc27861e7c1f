package io.signapi.common.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Signing settings shared with the worker and notifier ({@code signing.*}).
 *
 * @param maxAge    how long a request may wait for its signature; also the idempotency window
 * @param retention how long a finished request, its deliveries, its message's attempts and a message no request
 *                  refers to any more are kept before the worker's retention job purges them
 */
@ConfigurationProperties("signing")
public record SigningProperties(@DefaultValue("24h") Duration maxAge, @DefaultValue("30d") Duration retention) {

    public SigningProperties {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("signing.retention must be positive, was " + retention);
        }
        if (retention.compareTo(maxAge) <= 0) {
            // A request and its deliveries must be over (both are bounded by max-age) before they are purged.
            throw new IllegalArgumentException("signing.retention (" + retention + ") must be longer than"
                    + " signing.max-age (" + maxAge + ")");
        }
    }
}
