package io.signapi.common.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;

/**
 * How every app uses Redis ({@code redis.*}); the connection itself is Spring's {@code spring.data.redis.*}.
 *
 * @param timeout the bound on each Redis command, the limiter's included; past it the caller goes on without
 *                Redis (the limiter fails closed)
 */
@ConfigurationProperties("redis")
public record RedisProperties(@DefaultValue(DEFAULT_TIMEOUT) Duration timeout) {

    static final String DEFAULT_TIMEOUT = "150ms";

    public RedisProperties {
        timeout = timeout != null ? timeout : DurationStyle.detectAndParse(DEFAULT_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalStateException("redis.timeout must be positive, got " + timeout);
        }
    }

    /** The defaults, as an app without any {@code redis.*} property gets them. */
    public static RedisProperties defaults() {
        return new RedisProperties(null);
    }
}
