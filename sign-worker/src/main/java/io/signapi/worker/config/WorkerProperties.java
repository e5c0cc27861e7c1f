package io.signapi.worker.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.signapi.common.config.InstanceIds;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;

/**
 * The worker's settings ({@code worker.*}); durations left unset are derived from the upstream budget.
 *
 * @param instanceId     who this instance is in leases, attempt rows and the User-Agent; unique by default
 * @param statsRefresh   how often {@code backlog:stats} and the backlog gauges are refreshed
 * @param lease          how long a leased message stays this instance's; null means budget span + upstream
 *                       timeout + margin (see {@link #effectiveLease})
 * @param maxWait        the longest a due message may wait for a slot; null means 5 windows
 * @param pollInterval   how often an idle loop looks for due messages
 * @param outboxSweep    how often finished but unpublished requests are re-published (and how old they must be)
 * @param databaseTimeout the bound on each MySQL transaction of the worker and on each of its Kafka sends
 * @param healthTimeout  the bound on each readiness check (Kafka, MySQL)
 * @param topics         partitions and replicas of the topics the worker creates
 */
@ConfigurationProperties("worker")
public record WorkerProperties(
        String instanceId,
        @DefaultValue("1s") Duration statsRefresh,
        Duration lease,
        Duration maxWait,
        @DefaultValue("250ms") Duration pollInterval,
        @DefaultValue("5s") Duration outboxSweep,
        @DefaultValue("5s") Duration databaseTimeout,
        @DefaultValue("1s") Duration healthTimeout,
        @DefaultValue Topics topics) {

    public WorkerProperties {
        instanceId = InstanceIds.orDefault(instanceId);
        statsRefresh = statsRefresh != null ? statsRefresh : Duration.ofSeconds(1);
        pollInterval = pollInterval != null ? pollInterval : Duration.ofMillis(250);
        outboxSweep = outboxSweep != null ? outboxSweep : Duration.ofSeconds(5);
        databaseTimeout = databaseTimeout != null ? databaseTimeout : Duration.ofSeconds(5);
        healthTimeout = healthTimeout != null ? healthTimeout : Duration.ofSeconds(1);
        topics = topics != null ? topics : new Topics(6, 3, 1);
        if (instanceId.length() > 48) {
            // claimed_by and sign_attempt.instance_id are VARCHAR(64); the User-Agent adds "sign-worker/".
            throw new IllegalStateException("worker.instance-id must be at most 48 characters, got " + instanceId);
        }
    }

    /** The User-Agent and {@code obtainedBy} of this instance: {@code sign-worker/<instance-id>}. */
    public String callerName() {
        return "sign-worker/" + instanceId;
    }

    /** The lease in force: the configured one, else budget span + upstream timeout + margin. */
    public Duration effectiveLease(UpstreamProperties upstream) {
        RateLimit rateLimit = upstream.rateLimit();
        return lease != null ? lease : rateLimit.span().plus(upstream.timeout()).plus(rateLimit.effectiveMargin());
    }

    /** The max wait in force: the configured one, else 5 windows. */
    public Duration effectiveMaxWait(UpstreamProperties upstream) {
        return maxWait != null ? maxWait : upstream.rateLimit().window().multipliedBy(5);
    }

    /**
     * The topics the worker creates.
     *
     * @param partitions        of {@code sign.signatures} and the dead-letter topics of the two intake topics (the
     *                          same count as {@code sign.requests}, since the recoverer keeps the partition)
     * @param resultsPartitions of {@code sign.results} and {@code sign.results.dlt}
     * @param replicas          of every topic
     */
    public record Topics(
            @DefaultValue("6") int partitions,
            @DefaultValue("3") int resultsPartitions,
            @DefaultValue("1") int replicas) {
    }
}
