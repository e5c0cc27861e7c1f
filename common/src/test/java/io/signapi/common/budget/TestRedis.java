package io.signapi.common.budget;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.config.RedisProperties;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Connections to the local Redis for common's tests, always on logical database 1 (db 0 is never touched). */
final class TestRedis {

    static final int DATABASE = 1;

    private TestRedis() {
    }

    /** A started factory with its own connection; the caller destroys it. */
    static LettuceConnectionFactory factory(int port) {
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration("127.0.0.1", port);
        server.setDatabase(DATABASE);
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(Duration.ofSeconds(2))
                .build();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(server, client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    static LettuceConnectionFactory factory() {
        return factory(6379);
    }

    static ReactiveStringRedisTemplate template(LettuceConnectionFactory factory) {
        return new ReactiveStringRedisTemplate(factory);
    }

    /** Empties database 1, which only common's tests use. */
    static void flush(LettuceConnectionFactory factory) {
        try (var connection = factory.getConnection()) {
            connection.serverCommands().flushDb();
        }
    }

    /** The key's remaining expiry in millis as Redis reports it: -1 without an expiry, -2 when the key is gone. */
    static long pttl(LettuceConnectionFactory factory, String key) {
        try (var connection = factory.getConnection()) {
            return connection.keyCommands().pTtl(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The Redis server's clock, in epoch millis. */
    static long redisMillis(LettuceConnectionFactory factory) {
        try (var connection = factory.getConnection()) {
            return connection.serverCommands().time(TimeUnit.MILLISECONDS);
        }
    }

    /** Loopback settings with a shrunken window and the default margin (250 ms here). */
    /** One bounded path for every budget of common's tests, bounded by {@code redis.timeout}'s default. */
    private static final BoundedCalls CALLS = new BoundedCalls(RedisProperties.defaults().timeout(), "test-redis-");

    /** A budget as the apps build one, on the shared bounded path. */
    static UpstreamBudget budget(ReactiveStringRedisTemplate redis, UpstreamProperties props) {
        return new UpstreamBudget(redis, props, CALLS);
    }

    static UpstreamProperties props(int limit, Duration window, int workerReserve) {
        return new UpstreamProperties(URI.create("http://127.0.0.1:5005"), "test-key", null,
                new RateLimit(limit, window, null, workerReserve));
    }
}
