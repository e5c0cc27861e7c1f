package io.signapi.common.budget;

import io.signapi.common.RedisKeys;
import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

/**
 * The one upstream budget shared by every process: a sliding-window log in Redis decided by a Lua script on the
 * Redis clock, with a safety margin, the worker reserve and the pause after a 429; fails closed when Redis is
 * unreachable.
 */
public class UpstreamBudget {

    private static final Logger log = LoggerFactory.getLogger(UpstreamBudget.class);
    // Read once; Spring runs them by EVALSHA and sends the text only when Redis lacks it (NOSCRIPT).
    private static final RedisScript<String> ACQUIRE = RedisScript.of(lua("acquire.lua"), String.class);
    private static final RedisScript<Long> PAUSE = RedisScript.of(lua("pause.lua"), Long.class);
    private static final RedisScript<Long> MARK = RedisScript.of(lua("mark.lua"), Long.class);
    private static final RedisScript<String> PEEK = RedisScript.of(lua("peek.lua"), String.class);
    private static final List<String> ACQUIRE_KEYS = List.of(RedisKeys.BUDGET_UPSTREAM,
            RedisKeys.BUDGET_WORKER_WAITING, RedisKeys.BUDGET_PAUSED_UNTIL);

    private final ReactiveStringRedisTemplate redis;
    private final RateLimit rateLimit;
    private final BoundedCalls calls;
    private final Duration failClosedRetry;

    /**
     * @param calls the app's bounded path for Redis commands; its bound is how long a decision may take before
     *              the caller is refused (fail closed)
     */
    public UpstreamBudget(ReactiveStringRedisTemplate redis, UpstreamProperties props, BoundedCalls calls) {
        this.redis = redis;
        this.rateLimit = props.rateLimit();
        this.calls = calls;
        // Retry a lost Redis after one margin: short, and it scales with the window like everything else.
        this.failClosedRetry = rateLimit.effectiveMargin();
    }

    /** Takes a slot for one upstream call if the budget allows it now; never errors. */
    public Mono<Admission> tryAcquire(Caller caller) {
        return decide(caller).map(Decision::admission);
    }

    /**
     * Keeps the worker reserve free from the gateway for one window from now (Redis time); the marker is an
     * instant, not an expiry, so it lapses by itself unless renewed; never errors.
     */
    public Mono<Void> markWorkerWaiting() {
        return redis.execute(MARK, List.of(RedisKeys.BUDGET_WORKER_WAITING),
                        List.of(Long.toString(rateLimit.window().toMillis())))
                .next()
                .transform(this::quietly);
    }

    /** Gives the whole window back to the gateway; never errors. */
    public Mono<Void> clearWorkerWaiting() {
        return redis.delete(RedisKeys.BUDGET_WORKER_WAITING).transform(this::quietly);
    }

    /** After an upstream 429: nobody is admitted for one full window from now (Redis time); never errors. */
    public Mono<Void> pause() {
        return redis.execute(PAUSE, List.of(RedisKeys.BUDGET_PAUSED_UNTIL),
                        List.of(Long.toString(rateLimit.window().toMillis())))
                .next()
                .doOnNext(until -> log.warn("upstream budget paused until epoch millis {}", until))
                .transform(this::quietly);
    }

    /**
     * The budget as it stands, for metrics: the slots used in the counted span (window + margin) against the limit,
     * and the time until a worker call could be admitted (the pause included). Takes no slot and writes nothing;
     * errors (Redis unreachable) propagate, bounded like every Redis call.
     */
    public Mono<BudgetSnapshot> peek() {
        List<String> args = List.of(
                Long.toString(micros(rateLimit.window())),
                Long.toString(micros(rateLimit.effectiveMargin())),
                Integer.toString(rateLimit.limit()));
        return redis.execute(PEEK, List.of(RedisKeys.BUDGET_UPSTREAM, RedisKeys.BUDGET_PAUSED_UNTIL), args)
                .next()
                .map(reply -> {
                    String[] parts = reply.split(":");
                    return new BudgetSnapshot(Integer.parseInt(parts[0]), rateLimit.limit(),
                            Duration.ofNanos(Long.parseLong(parts[1]) * 1_000));
                })
                .transform(this::offCallerThread);
    }

    /**
     * Bounds a budget write and swallows its failure: with Redis unreachable nobody is admitted anyway, so
     * callers need not handle it.
     */
    private Mono<Void> quietly(Mono<?> write) {
        return write.transform(this::offCallerThread)
                .doOnError(e -> log.warn("upstream budget write failed: {}", e.toString()))
                .onErrorComplete()
                .then();
    }

    /** The script's full answer, including the Redis time of the decision. */
    Mono<Decision> decide(Caller caller) {
        List<String> args = List.of(
                Long.toString(micros(rateLimit.window())),
                Long.toString(micros(rateLimit.effectiveMargin())),
                Integer.toString(rateLimit.limit()),
                Integer.toString(rateLimit.gatewayShare()),
                caller.name(),
                UUID.randomUUID().toString());
        return redis.execute(ACQUIRE, ACQUIRE_KEYS, args)
                .next()
                .map(Decision::parse)
                .transform(this::offCallerThread)
                .onErrorResume(e -> {
                    log.warn("upstream budget unreachable, refusing the call (fail closed): {}", e.toString());
                    return Mono.just(Decision.failClosed(failClosedRetry));
                })
                .defaultIfEmpty(Decision.failClosed(failClosedRetry));
    }

    /**
     * Keeps the call off the caller's thread and bounds the wait: Lettuce opens its connection synchronously on
     * subscription, which would otherwise block the caller (an event loop, in the gateway) beyond the bound.
     */
    private <T> Mono<T> offCallerThread(Mono<T> call) {
        return calls.bounded(call);
    }

    private static String lua(String name) {
        try {
            return new ClassPathResource(name, UpstreamBudget.class).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing limiter script " + name, e);
        }
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1_000;
    }

    /**
     * One decision of the limiter script.
     *
     * @param redisMicros the Redis time of the decision, 0 when Redis could not be asked
     */
    record Decision(boolean granted, long waitMicros, long redisMicros) {

        static Decision parse(String reply) {
            String[] parts = reply.split(":");
            return new Decision("1".equals(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }

        static Decision failClosed(Duration retry) {
            return new Decision(false, micros(retry), 0);
        }

        Admission admission() {
            return granted ? Admission.grant() : Admission.deny(Duration.ofNanos(waitMicros * 1_000));
        }
    }
}
