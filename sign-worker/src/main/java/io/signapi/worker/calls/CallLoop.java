package io.signapi.worker.calls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.health.RejectedKey;
import io.signapi.worker.retry.Lease;
import io.signapi.worker.retry.Leases;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one call loop of this instance, on its own thread: lease a due message, take a budget slot (waiting exactly
 * the wait the budget names), re-check the lease, call the upstream, record the outcome; then the next message.
 * On shutdown it makes no new call, and an in-flight call's outcome is recorded before the context closes.
 */
@Component
class CallLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CallLoop.class);

    private final Leases leases;
    private final UpstreamBudget budget;
    private final UpstreamClient client;
    private final OutcomeRecorder recorder;
    private final RejectedKey rejectedKey;
    private final Clock clock;
    private final Duration callTimeout;
    private final Duration pollInterval;
    private final Duration probeInterval;
    private final Duration stopBound;
    private final Duration databaseTimeout;

    private volatile ScheduledExecutorService executor;
    private volatile Scheduler scheduler;
    private final AtomicBoolean inCall = new AtomicBoolean();
    private volatile boolean running;
    private volatile Disposable cycle;
    private volatile Lease held;
    private volatile Instant nextProbeAt = Instant.MIN;
    private volatile CountDownLatch callDone = new CountDownLatch(0);

    CallLoop(Leases leases, UpstreamBudget budget, UpstreamClient client, OutcomeRecorder recorder,
            RejectedKey rejectedKey, Clock clock, UpstreamProperties upstream, WorkerProperties worker) {
        this.leases = leases;
        this.budget = budget;
        this.client = client;
        this.recorder = recorder;
        this.rejectedKey = rejectedKey;
        this.clock = clock;
        this.callTimeout = upstream.timeout();
        this.pollInterval = worker.pollInterval();
        this.probeInterval = upstream.rateLimit().window();
        this.databaseTimeout = worker.databaseTimeout();
        // An in-flight call ends within its timeout; recording it takes at most one database timeout.
        this.stopBound = callTimeout.plus(databaseTimeout).plusSeconds(1);
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("call-loop").daemon().factory());
        scheduler = Schedulers.fromExecutorService(executor, "call-loop");
        running = true;
        schedule(Duration.ZERO);
        log.info("call loop started, lease {}", leases.length());
    }

    @Override
    public void stop() {
        running = false;
        if (inCall.get()) {
            log.info("stopping: waiting for the in-flight call to be recorded");
            try {
                if (!callDone.await(stopBound.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("in-flight call not recorded within {}; its lease lapses and it is retried", stopBound);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Disposable current = cycle;
        if (current != null) {
            current.dispose();
        }
        Lease lease = held;
        if (lease != null && !inCall.get()) {
            leases.release(lease).onErrorComplete().block(databaseTimeout);
        }
        executor.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server and the Kafka containers' late phases, so the last outcome can be recorded. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    private void schedule(Duration delay) {
        if (!running) {
            return;
        }
        cycle = Mono.delay(delay, scheduler)
                .then(Mono.defer(this::once))
                .subscribe(this::schedule, e -> {
                    log.error("call loop cycle failed unexpectedly, going on", e);
                    schedule(pollInterval);
                });
    }

    /** One cycle; answers the delay until the next. */
    private Mono<Duration> once() {
        if (!running) {
            return Mono.empty();
        }
        if (rejectedKey.isRejected()) {
            Duration untilProbe = Duration.between(clock.instant(), nextProbeAt);
            if (untilProbe.isPositive()) {
                return Mono.just(untilProbe);
            }
        }
        return leases.leaseNext()
                .timeout(databaseTimeout)
                .publishOn(scheduler)
                .flatMap(lease -> {
                    held = lease;
                    return acquireAndCall(lease).doFinally(signal -> held = null);
                })
                .defaultIfEmpty(pollInterval)
                .onErrorResume(e -> {
                    log.warn("no message leased ({}), next try in {}", e.toString(), pollInterval);
                    return Mono.just(pollInterval);
                });
    }

    /**
     * Takes a slot for the leased message and calls; answers the delay until the next cycle. A refused slot gives
     * the lease back and names the wait the budget told: the next cycle scores the due messages again, since the
     * best candidate may have changed meanwhile.
     */
    private Mono<Duration> acquireAndCall(Lease lease) {
        if (!running) {
            return leases.release(lease).thenReturn(Duration.ZERO);
        }
        return budget.tryAcquire(Caller.WORKER)
                .publishOn(scheduler)
                .flatMap(admission -> {
                    if (!admission.granted()) {
                        return leases.release(lease).timeout(databaseTimeout).thenReturn(admission.waitFor());
                    }
                    return leases.renew(lease).timeout(databaseTimeout).publishOn(scheduler).flatMap(mine -> {
                        if (!mine) {
                            log.warn("lease of hash={} lost before the call; the slot stays unused", lease.messageHash());
                            return Mono.just(Duration.ZERO);
                        }
                        if (!running) {
                            return leases.release(lease).thenReturn(Duration.ZERO);
                        }
                        return call(lease).thenReturn(Duration.ZERO);
                    });
                });
    }

    private Mono<Void> call(Lease lease) {
        callDone = new CountDownLatch(1);
        inCall.set(true);
        Instant started = clock.instant();
        return client.sign(lease.message(), callTimeout)
                .flatMap(outcome -> recorder.record(lease, outcome, started, clock.instant()))
                // Before completion, not in doFinally: the next cycle starts on completion and must see it.
                .then(Mono.fromRunnable(() -> {
                    if (rejectedKey.isRejected()) {
                        nextProbeAt = clock.instant().plus(probeInterval);
                    }
                }))
                .then()
                .doFinally(signal -> {
                    inCall.set(false);
                    callDone.countDown();
                });
    }
}
