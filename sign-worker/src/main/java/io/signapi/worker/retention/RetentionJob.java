package io.signapi.worker.retention;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.signapi.common.config.SigningProperties;
import io.signapi.worker.periodic.PeriodicTask;
import reactor.core.publisher.Mono;

/** Runs the {@link Retention} purge every {@code worker.retention.interval}, on every instance. */
@Component
class RetentionJob extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private final Retention retention;
    private final SigningProperties signing;

    RetentionJob(Retention retention, RetentionProperties settings, SigningProperties signing) {
        super("retention", settings.interval(), settings.interval());
        this.retention = retention;
        this.signing = signing;
    }

    @Override
    protected Mono<?> run() {
        return retention.purge()
                .doOnNext(purged -> {
                    if (purged.any()) {
                        log.info("retention purged what finished more than {} ago: {} requests (with their"
                                + " deliveries), {} attempts, {} messages", signing.retention(), purged.requests(),
                                purged.attempts(), purged.messages());
                    }
                })
                .doOnError(e -> log.warn("retention purge failed, next in one interval: {}", e.toString()));
    }
}
