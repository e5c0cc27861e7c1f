package io.signapi.common.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The last value of a remote reading (Redis, the Kafka admin API) for gauges: a read answers at once with what is
 * known and, when that is older than {@code maxAge}, starts one refresh in the background. A scrape therefore never
 * waits on the remote side (the gateway scrapes on an event loop), and the remote side is asked at most once per
 * {@code maxAge} however often it is scraped. A failed refresh forgets the value: an unknown reading is {@code null},
 * not a stale figure.
 */
public final class CachedReading<T> {

    private static final Logger log = LoggerFactory.getLogger(CachedReading.class);

    private final String name;
    private final Supplier<Mono<T>> source;
    private final Duration maxAge;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile T value;
    private volatile long readAt;
    private volatile boolean read;

    public CachedReading(String name, Supplier<Mono<T>> source, Duration maxAge) {
        this.name = name;
        this.source = source;
        this.maxAge = maxAge;
    }

    /** The last value read, or {@code null} when none is known; refreshes in the background when it is stale. */
    public T get() {
        // Elapsed real time (nanoTime), never the app's clock, which tests may hold still.
        if (!read || System.nanoTime() - readAt > maxAge.toNanos()) {
            refresh();
        }
        return value;
    }

    /** Starts a refresh unless one is running. */
    public void refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        // Built and subscribed off the caller's thread: creating a client (Kafka's admin client) may block.
        Mono.defer(source).subscribeOn(Schedulers.boundedElastic())
                .subscribe(v -> value = v, this::failed, this::stamp);
    }

    private void failed(Throwable e) {
        log.debug("{} not readable: {}", name, e.toString());
        value = null;
        stamp();
    }

    private void stamp() {
        readAt = System.nanoTime();
        read = true;
        refreshing.set(false);
    }
}
