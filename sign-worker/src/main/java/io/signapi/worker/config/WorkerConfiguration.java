package io.signapi.worker.config;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.config.CacheProperties;
import io.signapi.common.config.RedisProperties;
import io.signapi.common.config.SigningProperties;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamProbe;
import io.signapi.common.upstream.UpstreamProperties;

/**
 * Wires the shared library classes (upstream client, budget, start-up probe, bounded Redis calls), transactions and
 * the clock.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({UpstreamProperties.class, SigningProperties.class, RedisProperties.class,
        CacheProperties.class})
class WorkerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    UpstreamClient upstreamClient(UpstreamProperties upstream, WorkerProperties worker) {
        return new UpstreamClient(WebClient.builder(), upstream, worker.callerName());
    }

    @Bean
    UpstreamBudget upstreamBudget(ReactiveStringRedisTemplate redis, UpstreamProperties upstream,
            BoundedCalls redisCalls) {
        return new UpstreamBudget(redis, upstream, redisCalls);
    }

    /** The safety interlock: with a shrunken budget, start only against the announced simulator. */
    @Bean
    UpstreamProbe upstreamProbe(UpstreamProperties upstream, WorkerProperties worker, UpstreamBudget budget,
            DatabaseClient db, Clock clock) {
        return new UpstreamProbe(WebClient.builder(), upstream, worker.callerName(), budget, db, Caller.WORKER,
                worker.instanceId(), worker.databaseTimeout(), clock);
    }

    /** The one bounded path for the worker's Redis calls: the budget's, the signature cache, hints and figures. */
    @Bean(destroyMethod = "close")
    BoundedCalls redisCalls(RedisProperties redis) {
        return new BoundedCalls(redis.timeout(), "redis-");
    }

    @Bean
    TransactionalOperator transactionalOperator(ReactiveTransactionManager transactions) {
        return TransactionalOperator.create(transactions);
    }
}
