package io.signapi.gateway.config;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamProperties;

/** Wires the shared library classes (upstream client, budget) and the clock as beans. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(UpstreamProperties.class)
class GatewayConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    UpstreamClient upstreamClient(UpstreamProperties upstream) {
        return new UpstreamClient(WebClient.builder(), upstream);
    }

    @Bean
    UpstreamBudget upstreamBudget(ReactiveStringRedisTemplate redis, UpstreamProperties upstream) {
        return new UpstreamBudget(redis, upstream);
    }
}
