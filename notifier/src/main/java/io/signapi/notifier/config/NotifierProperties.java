package io.signapi.notifier.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.signapi.common.config.InstanceIds;

/**
 * The notifier's own settings ({@code notifier.*}); see docs/ARCHITECTURE.md, "Notifier".
 *
 * @param instanceId       this process in {@code notification.claimed_by}; unique per process unless set
 * @param mailFrom         the {@code From} of every mail
 * @param mailTimeout      the bound on one SMTP send
 * @param webhookTimeout   the bound on one webhook delivery, from resolving the host to the response status
 * @param retrySchedule    the wait before each retry after the first try (Standard Webhooks' schedule); the delivery
 *                         is FAILED once it is used up
 * @param jitter           the share by which each wait is varied at random, up and down
 * @param pollInterval     how often the delivery schedule is scanned for due rows
 * @param lease            how long a claimed delivery stays with this instance; longer than any one delivery
 * @param batchSize        the most rows one scan claims
 * @param concurrency      the most deliveries in flight at once in this instance
 * @param databaseTimeout  the bound on each MySQL statement
 * @param publishTimeout   the bound on one publish to {@code sign.results.dlt}
 * @param healthTimeout    the bound on each readiness check (Kafka, MySQL)
 * @param topics           how the dead-letter topic is created
 */
@ConfigurationProperties("notifier")
public record NotifierProperties(
        String instanceId,
        @DefaultValue("Sign API <no-reply@signapi.local>") String mailFrom,
        @DefaultValue("30s") Duration mailTimeout,
        @DefaultValue("15s") Duration webhookTimeout,
        @DefaultValue("5s,5m,30m,2h,5h,10h,14h,20h") List<Duration> retrySchedule,
        @DefaultValue("0.2") double jitter,
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("2m") Duration lease,
        @DefaultValue("50") int batchSize,
        @DefaultValue("64") int concurrency,
        @DefaultValue("5s") Duration databaseTimeout,
        @DefaultValue("10s") Duration publishTimeout,
        @DefaultValue("2s") Duration healthTimeout,
        @DefaultValue Topics topics) {

    /** claimed_by is VARCHAR(64). */
    private static final int MAX_INSTANCE_ID = 64;

    public NotifierProperties {
        instanceId = InstanceIds.orDefault(instanceId);
        if (instanceId.length() > MAX_INSTANCE_ID) {
            instanceId = instanceId.substring(0, MAX_INSTANCE_ID);
        }
        retrySchedule = retrySchedule == null ? List.of() : List.copyOf(retrySchedule);
        topics = topics == null ? new Topics(3, (short) 1) : topics;
        for (Duration wait : retrySchedule) {
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalStateException("notifier.retry-schedule must hold positive durations, got "
                        + retrySchedule);
            }
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalStateException("notifier.jitter must be at least 0 and below 1, got " + jitter);
        }
        if (batchSize < 1 || concurrency < 1) {
            throw new IllegalStateException("notifier.batch-size and notifier.concurrency must be at least 1, got "
                    + batchSize + " and " + concurrency);
        }
        Duration longestDelivery = webhookTimeout.compareTo(mailTimeout) > 0 ? webhookTimeout : mailTimeout;
        // The lease must outlast a delivery and the writes around it, or a second instance would send it again.
        Duration needed = longestDelivery.plus(databaseTimeout.multipliedBy(2)).plus(publishTimeout);
        if (lease.compareTo(needed) <= 0) {
            throw new IllegalStateException(("notifier.lease (%s) must be longer than the longest delivery"
                    + " (notifier.webhook-timeout %s, notifier.mail-timeout %s) plus two notifier.database-timeout (%s) and a notifier.publish-timeout (%s)")
                    .formatted(lease, webhookTimeout, mailTimeout, databaseTimeout, publishTimeout));
        }
    }

    /**
     * The dead-letter topic {@code sign.results.dlt}, created at start-up with its source's partition count.
     *
     * @param partitions partitions (those of {@code sign.results})
     * @param replicas   replication factor (1 on a single local broker)
     */
    public record Topics(@DefaultValue("3") int partitions, @DefaultValue("1") short replicas) {
    }
}
