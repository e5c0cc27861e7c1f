package io.signapi.gateway.config;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.cache.SignatureCacheCommands;
import io.signapi.common.config.CacheProperties;
import io.signapi.common.config.RedisProperties;
import io.signapi.common.config.SigningProperties;
import io.signapi.common.config.WebhookProperties;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamProbe;
import io.signapi.common.upstream.UpstreamProperties;

/**
 * Wires the shared library classes (upstream client, budget, start-up probe, signature cache commands, the bounded
 * Redis path), the clock and the Redis client options.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({UpstreamProperties.class, SigningProperties.class, WebhookProperties.class,
        CacheProperties.class, RedisProperties.class})
class GatewayConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Lettuce emits reactive results on its I/O thread unless told otherwise; whatever follows a Redis call (JSON,
     * the response) would then queue behind other commands' replies.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer publishRedisResultsOffTheIoThread() {
        return options -> options.publishOnScheduler(true);
    }

    @Bean
    UpstreamClient upstreamClient(UpstreamProperties upstream, GatewayProperties gateway) {
        return new UpstreamClient(WebClient.builder(), upstream, "api-gateway/" + gateway.instanceId());
    }

    /** The one bounded path of every Redis command of this process, the budget's included ({@code redis.timeout}). */
    @Bean
    BoundedCalls redisCalls(RedisProperties redis) {
        return new BoundedCalls(redis.timeout(), "gateway-redis-");
    }

    @Bean
    UpstreamBudget upstreamBudget(ReactiveStringRedisTemplate redis, UpstreamProperties upstream,
            BoundedCalls redisCalls) {
        return new UpstreamBudget(redis, upstream, redisCalls);
    }

    /**
     * The safety interlock: with a shrunken budget, start only against the announced simulator. Its attempt row is
     * bounded by {@code upstream.timeout}, not by the request path's {@code gateway.database-timeout}: at start-up
     * the first connection of the pool is still being opened.
     */
    @Bean
    UpstreamProbe upstreamProbe(UpstreamProperties upstream, GatewayProperties gateway, UpstreamBudget budget,
            DatabaseClient db, Clock clock) {
        return new UpstreamProbe(WebClient.builder(), upstream, "api-gateway/" + gateway.instanceId(), budget, db,
                Caller.GATEWAY, gateway.instanceId(), upstream.timeout(), clock);
    }

    @Bean
    SignatureCacheCommands signatureCacheCommands(ReactiveStringRedisTemplate redis, CacheProperties cache) {
        return new SignatureCacheCommands(redis, cache);
    }
}
