package io.signapi.worker.outbox;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.periodic.PeriodicTask;
import reactor.core.publisher.Mono;

/**
 * Every {@code worker.outbox-sweep}, re-publishes finished requests that stayed unmarked for longer than one sweep
 * interval (a crash between commit and publish, or Kafka down), so every result is delivered at least once.
 */
@Component
class OutboxSweeper extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(OutboxSweeper.class);
    private static final int BATCH = 200;

    private final Outbox outbox;
    private final Clock clock;
    private final Duration interval;

    OutboxSweeper(Outbox outbox, Clock clock, WorkerProperties worker) {
        super("outbox sweep", worker.outboxSweep(), worker.outboxSweep());
        this.outbox = outbox;
        this.clock = clock;
        this.interval = worker.outboxSweep();
    }

    @Override
    protected Mono<?> run() {
        return outbox.publishStale(clock.instant(), interval, BATCH)
                .doOnNext(count -> {
                    if (count > 0) {
                        log.info("outbox sweeper published {} results left unpublished", count);
                    }
                });
    }
}
