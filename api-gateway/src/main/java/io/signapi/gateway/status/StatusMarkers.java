package io.signapi.gateway.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.signapi.common.RedisKeys;
import io.signapi.common.event.EventJson;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.config.RedisAccess;
import io.signapi.gateway.warmup.WarmUpMode;
import reactor.core.publisher.Mono;

/**
 * The {@code req:<id>} markers: written before a 202 is answered so the status endpoint finds the request before
 * the worker has recorded it in MySQL.
 */
@Component
public class StatusMarkers {

    private static final Logger log = LoggerFactory.getLogger(StatusMarkers.class);

    private final RedisAccess redis;
    private final Duration ttl;

    public StatusMarkers(RedisAccess redis, GatewayProperties gateway) {
        this.redis = redis;
        this.ttl = gateway.statusMarkerTtl();
    }

    /**
     * Writes a PENDING marker; never errors, since a lost marker only shortens what the status endpoint knows. A
     * warm-up request's marker is built and not written.
     */
    public Mono<Void> write(UUID requestId, Instant createdAt, Instant estimatedReadyAt) {
        String json = EventJson.mapper().writeValueAsString(new Marker(createdAt, estimatedReadyAt));
        return WarmUpMode.unlessWarmingUp(() -> store(requestId, json), Mono::empty);
    }

    private Mono<Void> store(UUID requestId, String json) {
        return redis.bounded(redis.template().opsForValue().set(RedisKeys.req(requestId.toString()), json, ttl))
                .doOnError(e -> log.warn("status marker for request {} not written: {}", requestId, e.toString()))
                .onErrorComplete()
                .then();
    }

    /** The marker if present; errors when Redis cannot be read. */
    Mono<Optional<Marker>> read(UUID requestId) {
        return redis.bounded(redis.template().opsForValue().get(RedisKeys.req(requestId.toString())))
                .map(json -> Optional.of(EventJson.mapper().readValue(json, Marker.class)))
                .defaultIfEmpty(Optional.empty());
    }

    /** What a marker holds: the request is PENDING since {@code createdAt}. */
    record Marker(Instant createdAt, Instant estimatedReadyAt) {
    }
}
