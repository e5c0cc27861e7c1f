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
        String instanceId) {

    public GatewayProperties {
        instanceId = InstanceIds.orDefault(instanceId);
    }

    /**
     * Partitions and replicas of the topics the gateway creates at start-up.
     *
     * @param partitions partitions per topic
     * @param replicas   replication factor (1 on a single local broker)
     */
    public record Topics(@DefaultValue("6") int partitions, @DefaultValue("1") short replicas) {
    }

    /** The time the accept path (backlog read, Kafka acknowledgement, marker write) needs after a direct attempt. */
    public Duration acceptPathReserve(RedisProperties redis) {
        return acceptTimeout.plus(redis.timeout().multipliedBy(2));
    }
}
