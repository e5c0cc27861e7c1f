package io.signapi.worker.retention;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the worker's retention job runs ({@code worker.retention.*}); what it keeps is {@code signing.retention}.
 *
 * @param interval  how often the job runs (the first run one interval after start-up)
 * @param batchSize the most rows one statement deletes, so no purge ever locks a large range
 */
@ConfigurationProperties("worker.retention")
public record RetentionProperties(@DefaultValue("10m") Duration interval, @DefaultValue("500") int batchSize) {

    public RetentionProperties {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("worker.retention.interval must be positive, was " + interval);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("worker.retention.batch-size must be at least 1, was " + batchSize);
        }
    }
}
