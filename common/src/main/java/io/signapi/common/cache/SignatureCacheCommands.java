package io.signapi.common.cache;

import java.time.Duration;

import io.signapi.common.RedisKeys;
import io.signapi.common.config.CacheProperties;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

/**
 * The Redis commands on a cached signature ({@code sig:<hash>}), each giving the key its expiry
 * {@code cache.signature-ttl}; callers bound and subscribe them on their own path.
 */
public final class SignatureCacheCommands {

    private final ReactiveStringRedisTemplate redis;
    private final Duration ttl;

    public SignatureCacheCommands(ReactiveStringRedisTemplate redis, CacheProperties props) {
        this.redis = redis;
        this.ttl = props.signatureTtl();
    }

    /** The expiry every write and hit gives the key. */
    public Duration ttl() {
        return ttl;
    }

    /** Caches a message's signature with the expiry. */
    public Mono<Boolean> put(String messageHash, String signature) {
        return redis.opsForValue().set(RedisKeys.sig(messageHash), signature, ttl);
    }

    /** The cached signature, its expiry renewed in the same command (GETEX); empty on a miss. */
    public Mono<String> getAndRefresh(String messageHash) {
        return redis.opsForValue().getAndExpire(RedisKeys.sig(messageHash), ttl);
    }

    /** Renews the expiry after a hit read by other means; false when the key is gone. */
    public Mono<Boolean> refresh(String messageHash) {
        return redis.expire(RedisKeys.sig(messageHash), ttl);
    }
}
