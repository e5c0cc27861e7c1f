package io.signapi.gateway.config;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Opens the Redis connection at start-up, so the first request does not pay for it within its short Redis bound.
 * Redis being down only costs the cache and direct calls, so a failure here is logged, not fatal.
 */
@Component
class RedisWarmup implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(RedisWarmup.class);

    private final ReactiveStringRedisTemplate redis;

    RedisWarmup(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    @Override
    public void run(ApplicationArguments args) {
        try {
            redis.execute(connection -> connection.ping()).blockLast(Duration.ofSeconds(5));
            log.info("Redis connection ready");
        } catch (RuntimeException e) {
            log.warn("Redis not reachable at start-up; running without cache and direct calls until it is: {}",
                    e.toString());
        }
    }
}
