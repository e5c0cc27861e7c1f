package io.signapi.simulator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code upstream.*} settings the simulator shares with the apps: the key it accepts and the rate limit it enforces.
 *
 * @param apiKey the value of {@code Authorization} accepted by {@code /crypto/*} at start; {@code apiKey} in
 *     {@code POST /__sim/config} changes it
 * @param rateLimit at most {@code limit} calls admitted in any {@code window}
 */
@ConfigurationProperties("upstream")
public record SimulatedUpstreamProperties(
        @DefaultValue("local-dev-key") String apiKey,
        @DefaultValue RateLimit rateLimit) {

    public SimulatedUpstreamProperties {
        if (apiKey == null || apiKey.isEmpty()) {
            throw new IllegalArgumentException("upstream.api-key must not be empty");
        }
    }

    /**
     * The upstream's rate limit.
     *
     * @param limit calls admitted in any window
     * @param window length of the sliding window
     */
    public record RateLimit(@DefaultValue("10") int limit, @DefaultValue("60s") Duration window) {

        public RateLimit {
            if (limit < 1) {
                throw new IllegalArgumentException("upstream.rate-limit.limit must be at least 1");
            }
            if (window == null || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("upstream.rate-limit.window must be positive");
            }
        }
    }

    @Override
    public String toString() {
        return "SimulatedUpstreamProperties[apiKey=****, rateLimit=" + rateLimit + "]";
    }
}
