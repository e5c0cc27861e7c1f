package io.signapi.common.bounded;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one bounded path for calls that may block on subscription (Lettuce opens a missing connection synchronously,
 * a Kafka producer may wait for metadata): each call is subscribed on a virtual thread and bounded in time, so no
 * event loop ever waits on it. The executor never interrupts a cancelled subscription, so a slow connection
 * set-up still completes for the calls after the one that gave up on it.
 */
public final class BoundedCalls implements AutoCloseable {

    private final Duration timeout;
    private final ExecutorService executor;
    private final Scheduler scheduler;

    /**
     * @param timeout the bound on every call made through this instance
     * @param name    the prefix of its virtual threads' names, e.g. {@code redis-}
     */
    public BoundedCalls(Duration timeout, String name) {
        this.timeout = timeout;
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 0).factory());
        // Wrapped as a plain Executor: Reactor would otherwise treat it as an ExecutorService and interrupt on cancel.
        this.scheduler = Schedulers.fromExecutor(executor::execute);
    }

    /** The bound every call gets. */
    public Duration timeout() {
        return timeout;
    }

    /** The call, kept off the caller's thread and bounded by {@link #timeout()}; errors (and the timeout) propagate. */
    public <T> Mono<T> bounded(Mono<T> call) {
        return bounded(call, timeout);
    }

    /** The call, kept off the caller's thread and bounded by its own {@code limit}. */
    public <T> Mono<T> bounded(Mono<T> call, Duration limit) {
        return call.subscribeOn(scheduler).timeout(limit);
    }

    /** A multi-valued call, kept off the caller's thread; each item (and completion) must come within the bound. */
    public <T> Flux<T> bounded(Flux<T> call) {
        return call.subscribeOn(scheduler).timeout(timeout);
    }

    @Override
    public void close() {
        scheduler.dispose();
        executor.shutdown();
    }
}
