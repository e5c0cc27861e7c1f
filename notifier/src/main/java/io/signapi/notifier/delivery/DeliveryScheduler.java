package io.signapi.notifier.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.signapi.common.MessageHash;
import io.signapi.common.config.SigningProperties;
import io.signapi.common.log.OutcomeLog;
import io.signapi.notifier.config.NotifierProperties;
import io.signapi.notifier.delivery.Notifications.Claimed;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs the delivery schedule: every {@code notifier.poll-interval} (and whenever new rows are recorded) it claims due
 * rows, up to the free share of {@code notifier.concurrency}, and runs each delivery on its own, so that one slow
 * receiver never holds up another; then records each outcome and schedules retries.
 */
@Component
public class DeliveryScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final Notifications notifications;
    private final Map<Channel, Sender> senders = new EnumMap<>(Channel.class);
    private final DeadLetters deadLetters;
    private final DeliveryMetrics metrics;
    private final RetryPolicy retries;
    private final Clock clock;
    private final NotifierProperties settings;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Sinks.Many<Boolean> wakeUps = Sinks.many().multicast().directBestEffort();
    private volatile @Nullable Disposable polling;
    private volatile @Nullable Runnable onIdle;

    DeliveryScheduler(Notifications notifications, List<Sender> senders, DeadLetters deadLetters,
            DeliveryMetrics metrics, Clock clock, NotifierProperties settings, SigningProperties signing) {
        this.notifications = notifications;
        senders.forEach(sender -> this.senders.put(sender.channel(), sender));
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
        this.settings = settings;
        this.retries = new RetryPolicy(settings.retrySchedule(), settings.jitter(), signing.maxAge());
    }

    /** Scans the schedule soon, without waiting for the next interval (new rows were recorded). */
    public void wake() {
        wakeUps.tryEmitNext(Boolean.TRUE);
    }

    @Override
    public void start() {
        polling = Flux.merge(Flux.interval(Duration.ZERO, settings.pollInterval()).map(tick -> Boolean.TRUE),
                        wakeUps.asFlux())
                .onBackpressureDrop()
                .concatMap(tick -> claimAndDispatch(), 1)
                .subscribe();
    }

    /** Claims while whole batches come back and slots are free; errors end this scan only. */
    private Mono<Void> claimAndDispatch() {
        return claimOnce()
                .expand(full -> full ? claimOnce() : Mono.empty())
                .then()
                .onErrorResume(e -> {
                    log.warn("Could not scan the delivery schedule: {}", e.toString());
                    return Mono.empty();
                });
    }

    /** One claim of up to the free slots; true when it got all it asked for (more may be due). */
    private Mono<Boolean> claimOnce() {
        int free = Math.min(settings.batchSize(), settings.concurrency() - inFlight.get());
        if (free <= 0) {
            return Mono.just(false);
        }
        return notifications.claimDue(free)
                .doOnNext(this::dispatch)
                .count()
                .map(claimed -> claimed == free && inFlight.get() < settings.concurrency());
    }

    private void dispatch(Claimed row) {
        inFlight.incrementAndGet();
        deliver(row)
                .onErrorResume(e -> {
                    // The row keeps its lease and is tried again once the lease runs out.
                    log.warn("Could not record the {} delivery of request {}: {}", row.channel(), row.requestId(),
                            e.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> finished())
                .subscribe();
    }

    private void finished() {
        if (inFlight.decrementAndGet() == 0) {
            Runnable callback = onIdle;
            if (callback != null) {
                onIdle = null;
                callback.run();
            }
        }
    }

    Mono<Void> deliver(Claimed row) {
        Delivery delivery = row.delivery();
        if (delivery == null) {
            return finish(row, null, new Outcome.Failed("the request is not on record as finished"));
        }
        Sender sender = senders.get(row.channel());
        return sender.send(delivery)
                .onErrorResume(e -> Mono.just(new Outcome.Retry(e.toString())))
                .flatMap(outcome -> finish(row, delivery, outcome));
    }

    private Mono<Void> finish(Claimed row, @Nullable Delivery delivery, Outcome outcome) {
        Instant now = clock.instant();
        return switch (outcome) {
            case Outcome.Delivered d -> record(row, Status.DELIVERED, null, null).doOnSuccess(recorded -> {
                if (delivery != null) {
                    metrics.delivered(row.channel(), Duration.between(delivery.completedAt(), now));
                }
            }).then();
            case Outcome.Refused refused -> record(row, Status.REFUSED, refused.error(), null).then();
            case Outcome.Failed failed -> giveUp(row, delivery, failed.error());
            case Outcome.Retry retry -> {
                Instant next = delivery == null ? null
                        : retries.next(row.attempt(), now, delivery.completedAt(), retry.notBefore()).orElse(null);
                yield next == null
                        ? giveUp(row, delivery, retry.error() + " (retries exhausted)")
                        : record(row, Status.RETRYING, retry.error(), next).then();
            }
        };
    }

    /** FAILED: the result goes to the dead-letter topic first, so a crash in between can only publish it twice. */
    private Mono<Void> giveUp(Claimed row, @Nullable Delivery delivery, String error) {
        if (delivery == null) {
            return record(row, Status.FAILED, error, null).then();
        }
        return deadLetters.publish(delivery, error)
                .doOnSuccess(published -> metrics.deadLettered())
                .then(record(row, Status.FAILED, error, null))
                .onErrorResume(e -> !(e instanceof RecordFailure), e -> {
                    log.warn("Could not publish request {} to the dead-letter topic: {}", row.requestId(),
                            e.toString());
                    return record(row, Status.RETRYING, error + "; dead-letter publish failed",
                            clock.instant().plus(settings.pollInterval().multipliedBy(10)));
                })
                .then();
    }

    private Mono<Boolean> record(Claimed row, Status status, @Nullable String error, @Nullable Instant next) {
        return notifications.record(row, status, error, next)
                .onErrorMap(RecordFailure::new)
                .doOnNext(recorded -> {
                    if (recorded) {
                        metrics.recorded(row.channel(), status);
                        // The delivery try's outcome line, timed from its claim.
                        OutcomeLog.outcome("delivery", row.requestId(),
                                row.delivery() == null ? null : MessageHash.of(row.delivery().message()),
                                status.name(), Duration.between(row.leaseUntil().minus(settings.lease()),
                                        clock.instant()),
                                "channel=" + row.channel() + " attempt=" + row.attempt()
                                        + (error == null ? "" : " error=(" + error + ")"));
                    } else {
                        log.warn("Request {} {} delivery attempt {} ended {} after this instance's lease was lost",
                                row.requestId(), row.channel(), row.attempt(), status);
                    }
                });
    }

    @Override
    public void stop(Runnable callback) {
        Disposable current = polling;
        polling = null;
        if (current != null) {
            current.dispose();
        }
        // In-flight deliveries finish and record their outcome before the connections close.
        onIdle = callback;
        if (inFlight.get() == 0 && onIdle != null) {
            onIdle = null;
            callback.run();
        }
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return polling != null;
    }

    /** Marks a failure to write the outcome, which must not be mistaken for a failed publish. */
    private static final class RecordFailure extends RuntimeException {
        RecordFailure(Throwable cause) {
            super(cause.toString(), cause);
        }
    }
}
