package io.signapi.gateway.signing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.signapi.common.RedisKeys;
import io.signapi.common.cache.SignatureCacheCommands;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.config.RedisAccess;
import reactor.core.publisher.Mono;

/**
 * The cache side of a message: its signature, in process ({@code gateway.local-cache}) in front of Redis
 * ({@code sig:<hash>}, expiry {@code cache.signature-ttl} kept fresh by every hit), and its backoff
 * ({@code backoff:<hash>}).
 */
@Component
public class SignatureCache {

    private static final Logger log = LoggerFactory.getLogger(SignatureCache.class);

    /** Hashes whose expiry this process renewed lately; a miss here only costs one more EXPIRE. */
    private static final int RENEWED_MAX = 10_000;

    private final RedisAccess redis;
    private final SignatureCacheCommands signatures;
    private final Cache<String, Boolean> renewed;
    /** Signatures by message hash; a signature never changes, so a hit here is always right. */
    private final Cache<String, String> local;

    public SignatureCache(RedisAccess redis, SignatureCacheCommands signatures, GatewayProperties gateway) {
        this.redis = redis;
        this.signatures = signatures;
        // Maintenance (eviction, expiry) on the caller's thread: a few steps amortised over writes, instead of a
        // hand-off to the common ForkJoinPool from the event loop.
        this.local = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(gateway.localCache().maxSize())
                .expireAfterWrite(gateway.localCache().ttl())
                .build();
        // A hot key keeps at least 29/30 of its expiry without an extra Redis command on every hit; its LRU
        // position is refreshed by the read itself. As large as the local cache, so that its hits do not each
        // cost an EXPIRE.
        this.renewed = Caffeine.newBuilder()
                .executor(Runnable::run)
                .expireAfterWrite(signatures.ttl().dividedBy(30))
                .maximumSize(Math.max(RENEWED_MAX, gateway.localCache().maxSize()))
                .build();
    }

    /**
     * The signature from this process's cache when it holds one (no Redis round trip, no thread hop), else both
     * keys of the message in one round trip; an unreachable Redis reads as a miss (never errors).
     */
    Mono<Lookup> lookup(String messageHash) {
        String held = local.getIfPresent(messageHash);
        if (held != null) {
            refresh(messageHash, held);
            return Mono.just(new Lookup(held, false, true));
        }
        return redis.bounded(redis.template().opsForValue()
                        .multiGet(List.of(RedisKeys.sig(messageHash), RedisKeys.backoff(messageHash))))
                .map(values -> new Lookup(values.get(0), values.get(1) != null, true))
                .doOnNext(found -> {
                    if (found.signature() != null) {
                        local.put(messageHash, found.signature());
                        refresh(messageHash, found.signature());
                    }
                })
                .onErrorResume(e -> {
                    log.debug("signature cache unavailable hash={}: {}", messageHash, e.toString());
                    return Mono.just(Lookup.UNREACHABLE);
                })
                .defaultIfEmpty(Lookup.UNREACHABLE);
    }

    /**
     * The signature Redis holds for a message, its expiry renewed in the same command; empty on a miss or an
     * unreachable Redis (never errors). Redis only: verifying asks what the shared cache holds.
     */
    public Mono<Optional<String>> signature(String messageHash) {
        return redis.bounded(signatures.getAndRefresh(messageHash))
                .map(Optional::of)
                .onErrorResume(e -> Mono.just(Optional.empty()))
                .defaultIfEmpty(Optional.empty());
    }

    /** Caches a signature with its expiry, which makes it LRU-evictable (the database row is the durable copy). */
    Mono<Void> put(String messageHash, String signature) {
        local.put(messageHash, signature);
        return quietly(signatures.put(messageHash, signature), messageHash);
    }

    /**
     * Renews a hit's expiry without holding up the answer: fire-and-forget, kept off the caller's thread, at most
     * once per thirtieth of the expiry per key; a failure only lets the key expire earlier. A key Redis no longer
     * holds (evicted while this process still served it) is written again, so Redis stays the shared cache.
     */
    private void refresh(String messageHash, String signature) {
        if (renewed.getIfPresent(messageHash) == null
                && renewed.asMap().putIfAbsent(messageHash, Boolean.TRUE) == null) {
            quietly(signatures.refresh(messageHash)
                    .flatMap(kept -> kept ? Mono.just(true) : signatures.put(messageHash, signature)), messageHash)
                    .subscribe();
        }
    }

    /**
     * Holds a stand-in signature for one of the warm-up's own messages in this process only, marked as renewed, so
     * that its hits exercise the in-process path without any Redis write; {@link #forget} drops it.
     */
    public void holdForWarmUp(String messageHash, String signature) {
        renewed.put(messageHash, Boolean.TRUE);
        local.put(messageHash, signature);
    }

    /** Drops a message from this process's cache (Redis is left as it is). */
    public void forget(String messageHash) {
        local.invalidate(messageHash);
        renewed.invalidate(messageHash);
    }

    /** Marks a message degraded until {@code until}; the value is that instant (ISO-8601). */
    Mono<Void> backoff(String messageHash, Instant until, Duration ttl) {
        return quietly(redis.template().opsForValue().set(RedisKeys.backoff(messageHash), until.toString(), ttl),
                messageHash);
    }

    private Mono<Void> quietly(Mono<Boolean> write, String messageHash) {
        return redis.bounded(write)
                .doOnError(e -> log.warn("cache write failed hash={}: {}", messageHash, e.toString()))
                .onErrorComplete()
                .then();
    }

    /**
     * What Redis holds for a message.
     *
     * @param signature the cached signature, if any
     * @param backoff   whether the message is known to be degraded upstream right now
     * @param reachable whether Redis answered at all
     */
    record Lookup(@Nullable String signature, boolean backoff, boolean reachable) {
        static final Lookup UNREACHABLE = new Lookup(null, false, false);
    }
}
