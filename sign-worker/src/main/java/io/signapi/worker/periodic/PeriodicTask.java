package io.signapi.worker.periodic;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A piece of work repeated on its own timer while the application runs: one run at a time (a run still going when
 * the next is due skips that tick), and a failed run is logged and the next one happens as planned.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

    private final String name;
    private final Duration initialDelay;
    private final Duration period;
    private volatile Disposable running;

    protected PeriodicTask(String name, Duration initialDelay, Duration period) {
        this.name = name;
        this.initialDelay = initialDelay;
        this.period = period;
    }

    /** One run; its errors are logged and swallowed. */
    protected abstract Mono<?> run();

    @Override
    public void start() {
        running = Flux.interval(initialDelay, period)
                .onBackpressureDrop()
                .concatMap(tick -> Mono.defer(this::run)
                        .onErrorResume(e -> {
                            log.debug("{} failed, next in {}: {}", name, period, e.toString());
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
