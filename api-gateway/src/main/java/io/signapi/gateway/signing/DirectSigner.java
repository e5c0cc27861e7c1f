package io.signapi.gateway.signing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.budget.Admission;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamOutcome;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.kafka.EventPublisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The gateway's one direct upstream attempt for a message: a gateway budget slot first, then a single call bounded
 * by {@code gateway.direct-timeout} and by what is left of the request's deadline. Identical messages arriving
 * together share one attempt.
 */
@Component
class DirectSigner {

    private static final Logger log = LoggerFactory.getLogger(DirectSigner.class);

    private final UpstreamBudget budget;
    private final UpstreamClient upstream;
    private final SignatureCache cache;
    private final EventPublisher publisher;
    private final Clock clock;
    private final MeterRegistry meters;
    private final DirectAttempts attempts;
    private final Duration directTimeout;
    private final Duration redisTimeout;
    private final Duration acceptPathReserve;
    private final Duration backoff;
    private final ConcurrentHashMap<String, Mono<Result>> inFlight = new ConcurrentHashMap<>();
    // After a refusal the budget says exactly when a slot could be free; until then asking again is pointless.
    private final AtomicLong noSlotUntilNanos = new AtomicLong(System.nanoTime());

    DirectSigner(UpstreamBudget budget, UpstreamClient upstream, SignatureCache cache, EventPublisher publisher,
            Clock clock, MeterRegistry meters, GatewayProperties gateway, UpstreamProperties upstreamProperties,
            DirectAttempts attempts) {
        this.budget = budget;
        this.upstream = upstream;
        this.cache = cache;
        this.publisher = publisher;
        this.clock = clock;
        this.meters = meters;
        this.attempts = attempts;
        this.directTimeout = gateway.directTimeout();
        this.redisTimeout = gateway.redisTimeout();
        this.acceptPathReserve = gateway.acceptPathReserve();
        // A failing message stays degraded for 0.75 to 5 windows upstream; one window keeps the gateway off it.
        this.backoff = upstreamProperties.rateLimit().window();
    }

    /** Tries to sign now, within what the deadline leaves after reserving time for the accept path. */
    Mono<Result> attempt(SignCommand command, Deadline deadline) {
        Duration wait = deadline.remaining().minus(acceptPathReserve);
        if (wait.compareTo(redisTimeout.multipliedBy(3)) <= 0) {
            return Mono.just(Result.SKIPPED);
        }
        Sinks.One<Result> sink = Sinks.one();
        Mono<Result> mine = sink.asMono();
        Mono<Result> shared = inFlight.putIfAbsent(command.messageHash(), mine);
        if (shared == null) {
            shared = mine;
            // Subscribed here, not by the waiting requests: a requester giving up must not cancel the others' call.
            run(command, deadline)
                    .doFinally(signal -> inFlight.remove(command.messageHash(), mine))
                    .subscribe(sink::tryEmitValue, error -> {
                        log.error("direct attempt hash={} failed unexpectedly", command.messageHash(), error);
                        sink.tryEmitValue(Result.FAILED);
                    });
        }
        return shared.timeout(wait, Mono.just(Result.TIMED_OUT));
    }

    /** Forgets the last refusal, for when the budget was reset from outside (tests flushing Redis). */
    void forgetRefusal() {
        noSlotUntilNanos.set(System.nanoTime());
    }

    private Mono<Result> run(SignCommand command, Deadline deadline) {
        if (System.nanoTime() - noSlotUntilNanos.get() < 0) {
            return Mono.just(Result.NO_SLOT);
        }
        return budget.tryAcquire(Caller.GATEWAY)
                .timeout(redisTimeout, Mono.fromSupplier(() -> Admission.deny(redisTimeout)))
                .flatMap(admission -> {
                    if (!admission.granted()) {
                        log.debug("no gateway budget slot hash={} for {}", command.messageHash(), admission.waitFor());
                        long until = System.nanoTime() + admission.waitFor().toNanos();
                        noSlotUntilNanos.accumulateAndGet(until, (current, next) -> next - current > 0 ? next : current);
                        return Mono.just(Result.NO_SLOT);
                    }
                    // Leave room for the cache write after a success.
                    Duration callTimeout = min(directTimeout,
                            deadline.remaining().minus(acceptPathReserve).minus(redisTimeout));
                    return attempts.recorded(command.messageHash(), upstream.sign(command.message(), callTimeout))
                            .flatMap(outcome -> handle(command, outcome));
                });
    }

    private Mono<Result> handle(SignCommand command, UpstreamOutcome outcome) {
        String hash = command.messageHash();
        count(outcome);
        Instant now = clock.instant();
        return switch (outcome) {
            case UpstreamOutcome.Signed signed -> cache.put(hash, signed.signature())
                    .doOnSuccess(done -> publisher.publishSignature(
                            new SignatureObtained(hash, command.message(), signed.signature(), now)))
                    .thenReturn(Result.signed(signed.signature()));
            case UpstreamOutcome.Degraded degraded -> {
                log.info("direct call degraded hash={}, backing off until {}", hash, now.plus(backoff));
                cache.backoff(hash, now.plus(backoff), backoff).subscribe();
                yield Mono.just(Result.degraded(now));
            }
            case UpstreamOutcome.RateLimited limited -> {
                log.warn("direct call hash={} answered 429; pausing the upstream budget", hash);
                budget.pause().subscribe();
                yield Mono.just(Result.FAILED);
            }
            case UpstreamOutcome.Rejected rejected -> {
                log.error("direct call hash={} rejected with {}", hash, rejected.status());
                yield Mono.just(Result.FAILED);
            }
            case UpstreamOutcome.Failed failed -> {
                log.warn("direct call hash={} failed: {}", hash, failed.reason());
                yield Mono.just(Result.FAILED);
            }
            case UpstreamOutcome.Verified verified -> Mono.just(Result.FAILED);
        };
    }

    private void count(UpstreamOutcome outcome) {
        String result = outcome.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        Counter.builder("gateway.direct.calls").description("Direct upstream calls by result").tag("result", result)
                .register(meters).increment();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** What a direct attempt came to. */
    enum Kind {
        SIGNED, DEGRADED, FAILED, NO_SLOT, SKIPPED, TIMED_OUT
    }

    /**
     * The outcome of a direct attempt.
     *
     * @param signature set when {@link Kind#SIGNED}
     * @param failedAt  set when {@link Kind#DEGRADED}: the upstream's 502 for this message
     */
    record Result(Kind kind, @Nullable String signature, @Nullable Instant failedAt) {
        static final Result FAILED = new Result(Kind.FAILED, null, null);
        static final Result NO_SLOT = new Result(Kind.NO_SLOT, null, null);
        static final Result SKIPPED = new Result(Kind.SKIPPED, null, null);
        static final Result TIMED_OUT = new Result(Kind.TIMED_OUT, null, null);

        static Result signed(String signature) {
            return new Result(Kind.SIGNED, signature, null);
        }

        static Result degraded(Instant at) {
            return new Result(Kind.DEGRADED, null, at);
        }
    }
}
