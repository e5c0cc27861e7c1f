package io.signapi.gateway.signing;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.signapi.common.RedisKeys;
import io.signapi.common.config.SigningProperties;
import io.signapi.common.event.EventJson;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.config.RedisAccess;
import reactor.core.publisher.Mono;

/**
 * Remembers which request an {@code Idempotency-Key} stands for: {@code idem:<key>} in Redis for
 * {@code signing.max-age}, and the unique {@code sign_request.idempotency_key} in MySQL as the durable source when
 * Redis has lost it.
 */
@Component
class IdempotencyStore {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyStore.class);
    private static final String FIND = """
            SELECT r.id, r.message_hash, r.status, m.signature
            FROM sign_request r LEFT JOIN sign_message m ON m.message_hash = r.message_hash
            WHERE r.idempotency_key = :key""";

    private final RedisAccess redis;
    private final DatabaseClient db;
    private final Duration ttl;
    private final Duration databaseTimeout;

    IdempotencyStore(RedisAccess redis, DatabaseClient db, SigningProperties signing, GatewayProperties gateway) {
        this.redis = redis;
        this.db = db;
        this.ttl = signing.maxAge();
        this.databaseTimeout = gateway.databaseTimeout();
    }

    /** What the key already stands for: Redis first, then MySQL; empty when neither knows it (never errors). */
    Mono<Optional<Entry>> find(String key) {
        return redis.bounded(redis.template().opsForValue().get(RedisKeys.idem(key)))
                .map(IdempotencyStore::parse)
                .onErrorResume(e -> {
                    log.debug("idempotency key not readable from Redis: {}", e.toString());
                    return Mono.empty();
                })
                .switchIfEmpty(Mono.defer(() -> fromDatabase(key)))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    }

    /**
     * Records the key for a request unless it is already taken: empty when this call took it (or Redis is
     * unreachable), else what the key already stands for.
     */
    Mono<Optional<Entry>> claim(String key, Entry entry) {
        String redisKey = RedisKeys.idem(key);
        return redis.bounded(redis.template().opsForValue().setIfAbsent(redisKey, json(entry), ttl))
                .flatMap(taken -> taken ? Mono.just(Optional.<Entry>empty())
                        : redis.bounded(redis.template().opsForValue().get(redisKey))
                                .map(json -> Optional.of(parse(json)))
                                .defaultIfEmpty(Optional.empty()))
                .onErrorResume(e -> {
                    log.debug("idempotency key not recorded in Redis: {}", e.toString());
                    return Mono.just(Optional.empty());
                });
    }

    /** Moves the key's entry to a new state; never errors (MySQL stays the durable source). */
    Mono<Void> save(String key, Entry entry) {
        return redis.bounded(redis.template().opsForValue().set(RedisKeys.idem(key), json(entry), ttl))
                .doOnError(e -> log.warn("idempotency entry for request {} not saved: {}", entry.requestId(),
                        e.toString()))
                .onErrorComplete()
                .then();
    }

    private Mono<Entry> fromDatabase(String key) {
        return db.sql(FIND)
                .bind("key", key)
                .map((row, meta) -> {
                    String signature = row.get("signature", String.class);
                    boolean signed = "SIGNED".equals(row.get("status", String.class)) && signature != null;
                    return new Entry(UUID.fromString(row.get("id", String.class)),
                            row.get("message_hash", String.class), signed ? State.SIGNED : State.ACCEPTED,
                            signed ? signature : null);
                })
                .one()
                .timeout(databaseTimeout)
                .onErrorResume(e -> {
                    log.warn("idempotency key not readable from MySQL: {}", e.toString());
                    return Mono.empty();
                });
    }

    private static String json(Entry entry) {
        return EventJson.mapper().writeValueAsString(entry);
    }

    private static Entry parse(String json) {
        return EventJson.mapper().readValue(json, Entry.class);
    }

    /** How far the request behind a key got. */
    enum State {
        /** Recorded before publishing: a retry must publish again under the same id (consumers de-duplicate). */
        PENDING,
        /** Kafka acknowledged it: a retry answers 202 with the same id. */
        ACCEPTED,
        /** Answered 200. */
        SIGNED
    }

    /**
     * What a key stands for.
     *
     * @param signature the signature when MySQL already holds it (never stored in Redis)
     */
    record Entry(UUID requestId, String messageHash, State state, @Nullable @JsonIgnore String signature) {
    }
}
