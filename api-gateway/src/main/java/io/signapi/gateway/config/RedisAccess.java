package io.signapi.gateway.config;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

import io.signapi.common.bounded.BoundedCalls;
import reactor.core.publisher.Mono;

/**
 * Redis as the request path may use it: the template, and the process's one bounded path ({@link BoundedCalls},
 * {@code redis.timeout}) that every command goes through, so no event loop waits on a missing connection.
 */
@Component
public class RedisAccess {

    private final ReactiveStringRedisTemplate template;
    private final BoundedCalls calls;

    public RedisAccess(ReactiveStringRedisTemplate template, BoundedCalls redisCalls) {
        this.template = template;
        this.calls = redisCalls;
    }

    public ReactiveStringRedisTemplate template() {
        return template;
    }

    /** The command, bounded in time and kept off the caller's thread; errors (including the timeout) propagate. */
    public <T> Mono<T> bounded(Mono<T> command) {
        return calls.bounded(command);
    }
}
