package io.signapi.worker.outbox;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.signapi.worker.config.WorkerProperties;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every {@code worker.outbox-sweep}, re-publishes finished requests that stayed unmarked for longer than one sweep
 * interval (a crash between commit and publish, or Kafka down), so every result is delivered at least once.
 */
@Component
class OutboxSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxSweeper.class);
    private static final int BATCH = 200;

    private final Outbox outbox;
    private final Clock clock;
    private final Duration interval;
    private volatile Disposable running;

    OutboxSweeper(Outbox outbox, Clock clock, WorkerProperties worker) {
        this.outbox = outbox;
        this.clock = clock;
        this.interval = worker.outboxSweep();
    }

    @Override
    public void start() {
        running = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(tick -> outbox.publishStale(clock.instant(), interval, BATCH)
                        .doOnNext(count -> {
                            if (count > 0) {
                                log.info("outbox sweeper published {} results left unpublished", count);
                            }
                        })
                        .onErrorResume(e -> {
                            log.warn("outbox sweep failed, next in {}: {}", interval, e.toString());
                            return Mono.empty();
                        }))
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable current = running;
        if (current != null) {
            current.dispose();
        }
        running = null;
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
