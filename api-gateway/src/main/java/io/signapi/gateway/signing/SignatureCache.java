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
import io.signapi.gateway.config.RedisAccess;
import reactor.core.publisher.Mono;

/**
 * The Redis side of a message: its cached signature ({@code sig:<hash>}, expiry {@code cache.signature-ttl} renewed
 * on every hit) and its backoff ({@code backoff:<hash>}).
 */
@Component
public class SignatureCache {

    private static final Logger log = LoggerFactory.getLogger(SignatureCache.class);

    /** Hashes whose expiry this process renewed lately; a miss here only costs one more EXPIRE. */
    private static final int RENEWED_MAX = 10_000;

    private final RedisAccess redis;
    private final SignatureCacheCommands signatures;
    private final Cache<String, Boolean> renewed;

    public SignatureCache(RedisAccess redis, SignatureCacheCommands signatures) {
        this.redis = redis;
        this.signatures = signatures;
        // A hot key keeps at least 29/30 of its expiry without an extra Redis command on every hit; its LRU
        // position is refreshed by the read itself.
        this.renewed = Caffeine.newBuilder()
                .expireAfterWrite(signatures.ttl().dividedBy(30))
                .maximumSize(RENEWED_MAX)
                .build();
    }

    /** Both keys of a message in one round trip; an unreachable Redis reads as a miss (never errors). */
    Mono<Lookup> lookup(String messageHash) {
        return redis.bounded(redis.template().opsForValue()
                        .multiGet(List.of(RedisKeys.sig(messageHash), RedisKeys.backoff(messageHash))))
                .map(values -> new Lookup(values.get(0), values.get(1) != null, true))
                .doOnNext(found -> {
                    if (found.signature() != null) {
                        refresh(messageHash);
                    }
                })
                .onErrorResume(e -> {
                    log.debug("signature cache unavailable hash={}: {}", messageHash, e.toString());
                    return Mono.just(Lookup.UNREACHABLE);
                })
                .defaultIfEmpty(Lookup.UNREACHABLE);
    }

    /** The cached signature of a message, empty on a miss or an unreachable Redis (never errors). */
    public Mono<Optional<String>> signature(String messageHash) {
        return redis.bounded(signatures.getAndRefresh(messageHash))
                .map(Optional::of)
                .onErrorResume(e -> Mono.just(Optional.empty()))
                .defaultIfEmpty(Optional.empty());
    }

    /** Caches a signature with its expiry, which makes it LRU-evictable (the database row is the durable copy). */
    Mono<Void> put(String messageHash, String signature) {
        return quietly(signatures.put(messageHash, signature), messageHash);
    }

    /**
     * Renews a hit's expiry without holding up the answer: fire-and-forget, kept off the caller's thread, at most
     * once per thirtieth of the expiry per key; a failure only lets the key expire earlier.
     */
    private void refresh(String messageHash) {
        if (renewed.asMap().putIfAbsent(messageHash, Boolean.TRUE) == null) {
            quietly(signatures.refresh(messageHash), messageHash).subscribe();
        }
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
