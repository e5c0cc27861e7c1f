package io.signapi.gateway.config;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Redis as the request path may use it: every command bounded by {@code gateway.redis-timeout} and subscribed on
 * virtual threads, because Lettuce opens a missing connection synchronously on subscription and would otherwise
 * block an event loop while Redis is down. The executor never interrupts a cancelled subscription, so a slow
 * connection set-up still completes for the requests after the one that gave up on it.
 */
@Component
public class RedisAccess implements DisposableBean {

    private final ReactiveStringRedisTemplate template;
    private final Duration timeout;
    private final ExecutorService executor;
    private final Scheduler scheduler;

    public RedisAccess(ReactiveStringRedisTemplate template, GatewayProperties gateway) {
        this.template = template;
        this.timeout = gateway.redisTimeout();
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gateway-redis-", 0).factory());
        // Wrapped as a plain Executor: Reactor would otherwise treat it as an ExecutorService and interrupt on cancel.
        this.scheduler = Schedulers.fromExecutor(executor::execute);
    }

    public ReactiveStringRedisTemplate template() {
        return template;
    }

    /** The command, bounded in time and kept off the caller's thread; errors (including the timeout) propagate. */
    public <T> Mono<T> bounded(Mono<T> command) {
        return command.subscribeOn(scheduler).timeout(timeout);
    }

    @Override
    public void destroy() {
        scheduler.dispose();
        executor.shutdown();
    }
}
