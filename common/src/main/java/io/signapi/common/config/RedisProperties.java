package io.signapi.common.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How every app uses Redis ({@code redis.*}); the connection itself is Spring's {@code spring.data.redis.*}.
 *
 * @param timeout the bound on each Redis command, the limiter's included; past it the caller goes on without
 *                Redis (the limiter fails closed)
 */
@ConfigurationProperties("redis")
public record RedisProperties(@DefaultValue("150ms") Duration timeout) {
}
