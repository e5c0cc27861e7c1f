package io.signapi.gateway.signing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.config.RedisProperties;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamOutcome;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.kafka.EventPublisher;
import io.signapi.gateway.warmup.WarmUpMode;
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
    private final Calls calls;
    private final DirectAttempts attempts;
    private final Duration directTimeout;
    private final Duration redisTimeout;
    private final Duration acceptPathReserve;
    private final Duration backoff;
    private final String caller;
    private final ConcurrentHashMap<String, Mono<Result>> inFlight = new ConcurrentHashMap<>();
    // After a refusal the budget says exactly when a slot could be free; until then asking again is pointless.
    private final AtomicLong noSlotUntilNanos = new AtomicLong(System.nanoTime());

    DirectSigner(UpstreamBudget budget, UpstreamClient upstream, SignatureCache cache, EventPublisher publisher,
            Clock clock, MeterRegistry meters, GatewayProperties gateway, UpstreamProperties upstreamProperties,
            RedisProperties redis, DirectAttempts attempts) {
        this.budget = budget;
        this.upstream = upstream;
        this.cache = cache;
        this.publisher = publisher;
        this.clock = clock;
        this.calls = Calls.registeredIn(meters);
        this.attempts = attempts;
        this.directTimeout = gateway.directTimeout();
        this.redisTimeout = redis.timeout();
        this.acceptPathReserve = gateway.acceptPathReserve(redis);
        // A failing message stays degraded for 0.75 to 5 windows upstream; one window keeps the gateway off it.
        this.backoff = upstreamProperties.rateLimit().window();
        this.caller = "api-gateway/" + gateway.instanceId();
    }

    /**
     * Tries to sign now, within what the deadline leaves after reserving time for the accept path; a warm-up request
     * never asks the budget or the upstream.
     */
    Mono<Result> attempt(SignCommand command, Deadline deadline) {
        return WarmUpMode.unlessWarmingUp(() -> attemptNow(command, deadline), () -> Mono.just(Result.NOT_SIGNED));
    }

    private Mono<Result> attemptNow(SignCommand command, Deadline deadline) {
        Duration wait = deadline.remaining().minus(acceptPathReserve);
        if (wait.compareTo(redisTimeout.multipliedBy(3)) <= 0) {
            return Mono.just(Result.NOT_SIGNED);
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
                        sink.tryEmitValue(Result.NOT_SIGNED);
                    });
        }
        return shared.timeout(wait, Mono.just(Result.NOT_SIGNED));
    }

    private Mono<Result> run(SignCommand command, Deadline deadline) {
        if (System.nanoTime() - noSlotUntilNanos.get() < 0) {
            return Mono.just(Result.NOT_SIGNED);
        }
        // Bounded by redis.timeout on the shared Redis path; past it the budget refuses (fail closed).
        return budget.tryAcquire(Caller.GATEWAY)
                .flatMap(admission -> {
                    if (!admission.granted()) {
                        log.debug("no gateway budget slot hash={} for {}", command.messageHash(), admission.waitFor());
                        long until = System.nanoTime() + admission.waitFor().toNanos();
                        noSlotUntilNanos.accumulateAndGet(until, (current, next) -> next - current > 0 ? next : current);
                        return Mono.just(Result.NOT_SIGNED);
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
                            new SignatureObtained(hash, command.message(), signed.signature(), now, caller)))
                    .thenReturn(new Result.Signed(signed.signature()));
            case UpstreamOutcome.Degraded degraded -> {
                log.info("direct call degraded hash={}, backing off until {}", hash, now.plus(backoff));
                cache.backoff(hash, now.plus(backoff), backoff).subscribe();
                yield Mono.just(new Result.Degraded(now));
            }
            case UpstreamOutcome.RateLimited limited -> {
                log.warn("direct call hash={} answered 429; pausing the upstream budget", hash);
                budget.pause().subscribe();
                yield Mono.just(Result.NOT_SIGNED);
            }
            case UpstreamOutcome.Rejected rejected -> {
                log.error("direct call hash={} rejected with {}", hash, rejected.status());
                yield Mono.just(Result.NOT_SIGNED);
            }
            case UpstreamOutcome.Failed failed -> {
                log.warn("direct call hash={} failed: {}", hash, failed.reason());
                yield Mono.just(Result.NOT_SIGNED);
            }
        };
    }

    private void count(UpstreamOutcome outcome) {
        (switch (outcome) {
            case UpstreamOutcome.Signed signed -> calls.signed;
            case UpstreamOutcome.Degraded degraded -> calls.degraded;
            case UpstreamOutcome.RateLimited limited -> calls.rateLimited;
            case UpstreamOutcome.Rejected rejected -> calls.rejected;
            case UpstreamOutcome.Failed failed -> calls.failed;
        }).increment();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** What a direct attempt came to: a signature, the upstream's 502 for this message, or neither. */
    sealed interface Result {

        /** No budget slot, no time left, a timeout or a failed call: the request goes to Kafka. */
        Result NOT_SIGNED = new NotSigned();

        record Signed(String signature) implements Result {
        }

        /** @param failedAt when the upstream answered 502 for this message */
        record Degraded(Instant failedAt) implements Result {
        }

        record NotSigned() implements Result {
        }
    }

    /** {@code gateway.direct.calls} by result, one counter per upstream outcome. */
    private record Calls(Counter signed, Counter degraded, Counter rateLimited, Counter rejected, Counter failed) {

        static Calls registeredIn(MeterRegistry meters) {
            return new Calls(counter(meters, "signed"), counter(meters, "degraded"), counter(meters, "rate_limited"),
                    counter(meters, "rejected"), counter(meters, "failed"));
        }

        private static Counter counter(MeterRegistry meters, String result) {
            return Counter.builder("gateway.direct.calls").description("Direct upstream calls by result")
                    .tag("result", result).register(meters);
        }
    }
}
