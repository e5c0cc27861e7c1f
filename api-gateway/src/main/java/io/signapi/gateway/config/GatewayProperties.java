package io.signapi.gateway.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import io.signapi.common.config.InstanceIds;
import io.signapi.common.config.RedisProperties;

/**
 * The gateway's own settings ({@code gateway.*}); every time bound on the request path comes from here, except the
 * Redis bound, which every app shares ({@code redis.timeout}).
 *
 * @param maxMessageBytes   the longest message accepted, in UTF-8 bytes
 * @param directTimeout     the longest a direct upstream call may take
 * @param acceptTimeout     the longest we wait for Kafka to acknowledge a request before answering 503
 * @param deadline          the gateway's own bound for answering, kept under the 2 s promise
 * @param databaseTimeout   the bound on each MySQL query on the request path
 * @param healthTimeout     the bound on the Kafka readiness check
 * @param backlogRefresh    how long one read of the worker's backlog figures is reused
 * @param statusMarkerTtl   how long a {@code req:<id>} marker bridges the moment before the worker records the request
 * @param topics            how the topics this gateway produces to are created
 * @param instanceId        this gateway process in attempt rows and the upstream's {@code User-Agent}; unique per
 *                          process unless set
 * @param degradedRecovery  how many rate-limit windows a message whose upstream call failed typically needs
 *                          before it signs (the recorded upstream: 55–235 s at a 60 s window), the floor of its
 *                          {@code estimatedReadyAt}
 * @param localCache        the in-process cache of signatures in front of Redis
 * @param maxInFlight       the most requests (outside {@code /actuator}) in progress at once; past it a request is
 *                          answered 503 at once instead of queueing past the 2-second promise
 * @param warmUp            the synthetic requests the gateway makes against itself before it reports ready
 */
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @DefaultValue("4096B") DataSize maxMessageBytes,
        @DefaultValue("1200ms") Duration directTimeout,
        @DefaultValue("500ms") Duration acceptTimeout,
        @DefaultValue("1800ms") Duration deadline,
        @DefaultValue("300ms") Duration databaseTimeout,
        @DefaultValue("1s") Duration healthTimeout,
        @DefaultValue("1s") Duration backlogRefresh,
        @DefaultValue("15m") Duration statusMarkerTtl,
        @DefaultValue Topics topics,
        @DefaultValue("2") double degradedRecovery,
        String instanceId,
        @DefaultValue LocalCache localCache,
        @DefaultValue("256") int maxInFlight,
        @DefaultValue WarmUp warmUp) {

    public GatewayProperties {
        instanceId = InstanceIds.orDefault(instanceId);
        if (maxInFlight < 1) {
            throw new IllegalStateException("gateway.max-in-flight must be at least 1, got " + maxInFlight);
        }
    }

    /**
     * Partitions and replicas of the topics the gateway creates at start-up.
     *
     * @param partitions partitions per topic
     * @param replicas   replication factor (1 on a single local broker)
     */
    public record Topics(@DefaultValue("6") int partitions, @DefaultValue("1") short replicas) {
    }

    /**
     * The in-process cache of signatures in front of Redis ({@code sig:<hash>}): a message's signature never
     * changes, so an entry is never stale; it only has to stay bounded.
     *
     * @param maxSize the most signatures held (about 0.5 KB each); 0 turns the cache off
     * @param ttl     how long a signature stays after it was cached here
     */
    public record LocalCache(@DefaultValue("20000") long maxSize, @DefaultValue("10m") Duration ttl) {

        public LocalCache {
            if (maxSize < 0) {
                throw new IllegalStateException("gateway.local-cache.max-size must not be negative, got " + maxSize);
            }
            if (ttl == null || ttl.isNegative() || ttl.isZero()) {
                throw new IllegalStateException("gateway.local-cache.ttl must be positive, got " + ttl);
            }
        }
    }

    /**
     * The synthetic requests against itself on loopback that warm the hot paths (cache hit, 202, validation faults)
     * before readiness; they reach no upstream, Kafka, Redis key or table.
     *
     * @param requests    how many warm-up requests are made; 0 turns the warm-up off (ready at once)
     * @param maxDuration the warm-up ends after this long even if not all its requests were made
     * @param concurrency warm-up requests in flight at once
     */
    public record WarmUp(@DefaultValue("20000") int requests, @DefaultValue("60s") Duration maxDuration,
            @DefaultValue("16") int concurrency) {

        public WarmUp {
            if (requests < 0) {
                throw new IllegalStateException("gateway.warm-up.requests must not be negative, got " + requests);
            }
            if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero()) {
                throw new IllegalStateException("gateway.warm-up.max-duration must be positive, got " + maxDuration);
            }
            if (concurrency < 1) {
                throw new IllegalStateException("gateway.warm-up.concurrency must be at least 1, got " + concurrency);
            }
        }
    }

    /** The time the accept path (backlog read, Kafka acknowledgement, marker write) needs after a direct attempt. */
    public Duration acceptPathReserve(RedisProperties redis) {
        return acceptTimeout.plus(redis.timeout().multipliedBy(2));
    }
}
