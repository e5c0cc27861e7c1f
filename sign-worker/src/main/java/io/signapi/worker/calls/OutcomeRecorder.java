package io.signapi.worker.calls;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.signapi.common.RedisKeys;
import io.signapi.common.attempt.SignAttempt;
import io.signapi.common.attempt.SignAttempts;
import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.budget.Caller;
import io.signapi.common.config.CacheProperties;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.event.Topics;
import io.signapi.common.upstream.UpstreamOutcome;
import io.signapi.common.upstream.UpstreamOutcome.Degraded;
import io.signapi.common.upstream.UpstreamOutcome.Failed;
import io.signapi.common.upstream.UpstreamOutcome.RateLimited;
import io.signapi.common.upstream.UpstreamOutcome.Rejected;
import io.signapi.common.upstream.UpstreamOutcome.Signed;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.health.RejectedKey;
import io.signapi.worker.outbox.Outbox;
import io.signapi.worker.retry.Lease;
import io.signapi.worker.retry.RetryBackoff;
import io.signapi.worker.store.RequestRows;
import io.signapi.worker.stats.WorkerMetrics;
import io.signapi.worker.store.Sql;
import reactor.core.publisher.Mono;

/**
 * Records one upstream call's outcome in one MySQL transaction (the attempt row, the message's schedule, its
 * requests), then does what may only follow a commit: Redis hints, the {@code SignatureObtained} event and the outbox.
 */
@Component
class OutcomeRecorder {

    private static final Logger log = LoggerFactory.getLogger(OutcomeRecorder.class);

    // The lease is given up only if it is still ours: the IFs read claimed_by before it is cleared.
    private static final String RELEASE = """
            claimed_until = IF(claimed_by = :me, NULL, claimed_until),
            claimed_by = IF(claimed_by = :me, NULL, claimed_by)""";

    private static final String SIGNED = """
            UPDATE sign_message SET signature = :signature, signed_at = :now, attempts = attempts + 1,
                next_attempt_at = NULL, expected_at = NULL, """ + RELEASE + """

            WHERE message_hash = :hash AND signature IS NULL""";

    // A message the expiry took off the schedule during the call (no request left) stays off it.
    private static final String DEGRADED = """
            UPDATE sign_message SET attempts = attempts + 1, first_failure_at = COALESCE(first_failure_at, :now),
                last_failure_at = :now, next_attempt_at = IF(next_attempt_at IS NULL, NULL, :next), """ + RELEASE + """

            WHERE message_hash = :hash AND signature IS NULL""";

    private static final String FAILED = """
            UPDATE sign_message SET attempts = attempts + 1, next_attempt_at = IF(next_attempt_at IS NULL, NULL, :next), """ + RELEASE + """

            WHERE message_hash = :hash AND signature IS NULL""";

    private static final String REFUSED = """
            UPDATE sign_message SET attempts = attempts + 1, next_attempt_at = NULL, expected_at = NULL,
                """ + RELEASE + """

            WHERE message_hash = :hash AND signature IS NULL""";

    private static final String RELEASE_ONLY = "UPDATE sign_message SET " + RELEASE + " WHERE message_hash = :hash";

    private static final String ATTEMPTS = "SELECT attempts FROM sign_message WHERE message_hash = :hash";

    private static final String FIRST_FAILURE = "SELECT first_failure_at FROM sign_message WHERE message_hash = :hash";

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final RequestRows requests;
    private final RetryBackoff backoff;
    private final Outbox outbox;
    private final UpstreamBudget budget;
    private final RejectedKey rejectedKey;
    private final ReactiveStringRedisTemplate redis;
    private final BoundedCalls redisCalls;
    private final BoundedCalls kafkaSends;
    private final KafkaTemplate<String, Object> kafka;
    private final WorkerMetrics metrics;
    private final WorkerProperties worker;
    private final Duration signatureTtl;

    OutcomeRecorder(DatabaseClient db, TransactionalOperator tx, RequestRows requests, RetryBackoff backoff,
            Outbox outbox, UpstreamBudget budget, RejectedKey rejectedKey, ReactiveStringRedisTemplate redis,
            BoundedCalls redisCalls, KafkaTemplate<String, Object> kafka, BoundedCalls kafkaSends,
            WorkerMetrics metrics, WorkerProperties worker, CacheProperties cache) {
        this.db = db;
        this.tx = tx;
        this.requests = requests;
        this.backoff = backoff;
        this.outbox = outbox;
        this.budget = budget;
        this.rejectedKey = rejectedKey;
        this.redis = redis;
        this.redisCalls = redisCalls;
        this.kafka = kafka;
        this.kafkaSends = kafkaSends;
        this.metrics = metrics;
        this.worker = worker;
        this.signatureTtl = cache.signatureTtl();
    }

    /** Records the call made under {@code lease}; completes after the commit and its follow-ups, never errors. */
    Mono<Void> record(Lease lease, UpstreamOutcome outcome, Instant started, Instant finished) {
        String hash = lease.messageHash();
        metrics.upstreamCall(label(outcome));
        if (outcome instanceof Rejected rejected && isKeyRefused(rejected)) {
            rejectedKey.rejected(rejected.status(), finished);
        } else {
            rejectedKey.accepted();
        }
        Mono<Void> pause = outcome instanceof RateLimited ? budget.pause() : Mono.empty();
        Mono<Runnable> committed = SignAttempts.insert(db,
                        SignAttempt.of(hash, Caller.WORKER, worker.instanceId(), started, finished, outcome))
                .then(changeSchedule(lease, outcome, finished));
        return pause
                .then(tx.transactional(committed).timeout(worker.databaseTimeout()))
                .flatMap(afterCommit -> Mono.fromRunnable(() -> afterCommitted(afterCommit, outcome, hash))
                        .then(outbox.publishFinished(hash)))
                .onErrorResume(e -> {
                    // The lease lapses by itself and the message is called again: at-least-once, never lost.
                    log.warn("outcome {} of hash={} not recorded: {}", label(outcome), hash, e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /**
     * Runs the follow-ups of a committed outcome: log, metrics, Redis hints and the announcement, each best-effort (the
     * Redis and Kafka ones run off this thread and log their own failures). Anything that still throws here is logged
     * and must neither skip the outbox nor report the committed outcome as unrecorded.
     */
    private static void afterCommitted(Runnable afterCommit, UpstreamOutcome outcome, String hash) {
        try {
            afterCommit.run();
        } catch (RuntimeException e) {
            log.warn("outcome {} of hash={} recorded, but a follow-up failed: {}", label(outcome), hash, e.toString());
        }
    }

    /** The schedule change in the transaction; answers what to do once it has committed. */
    private Mono<Runnable> changeSchedule(Lease lease, UpstreamOutcome outcome, Instant now) {
        String hash = lease.messageHash();
        return switch (outcome) {
            case Signed signed -> update(SIGNED, hash).bind("signature", signed.signature()).bind("now", now)
                    .fetch().rowsUpdated()
                    .then(requests.countAttempt(hash))
                    .then(requests.completeSigned(hash, now))
                    .flatMap(finished -> attempts(hash).map(attempts -> (Runnable) () -> {
                        log.info("signed hash={} after {} calls, {} requests finished", hash, attempts, finished);
                        metrics.signed(attempts);
                        cacheSignature(hash, signed.signature());
                        announce(new SignatureObtained(hash, lease.message(), signed.signature(), now,
                                worker.callerName()));
                    }));
            // One query at a time: the transaction's connection serves one statement at once.
            case Degraded degraded -> attempts(hash).zipWhen(before -> firstFailure(hash, now)).flatMap(known -> {
                long before = known.getT1();
                Instant next = backoff.afterDegraded(known.getT2(), now);
                return update(DEGRADED, hash).bind("now", now).bind("next", next).fetch().rowsUpdated()
                        .then(requests.countAttempt(hash))
                        .thenReturn((Runnable) () -> {
                            log.info("degraded hash={} call {}, next attempt at {}", hash, before + 1, next);
                            markDegraded(hash, next);
                        });
            });
            case Failed failed -> {
                Instant next = backoff.afterFailed(now);
                yield update(FAILED, hash).bind("next", next).fetch().rowsUpdated()
                        .then(requests.countAttempt(hash))
                        .thenReturn(() -> log.warn("call failed hash={} ({}), next attempt at {}", hash,
                                failed.reason(), next));
            }
            case RateLimited limited -> update(RELEASE_ONLY, hash).fetch().rowsUpdated()
                    .thenReturn(() -> log.warn("upstream answered 429 for hash={}: the budget pauses for one window,"
                            + " the message stays due", hash));
            case Rejected rejected when isKeyRefused(rejected) -> update(RELEASE_ONLY, hash).fetch().rowsUpdated()
                    .thenReturn(() -> {
                    });
            case Rejected rejected -> update(REFUSED, hash).fetch().rowsUpdated()
                    .then(requests.countAttempt(hash))
                    .then(requests.fail(hash, SignCompleted.Reason.REJECTED.name(), now))
                    .map(count -> () -> log.warn("upstream refused hash={} with HTTP {}: {} requests FAILED (REJECTED)",
                            hash, rejected.status(), count));
        };
    }

    private GenericExecuteSpec update(String sql, String hash) {
        var spec = db.sql(sql).bind("hash", hash);
        return sql.contains(":me") ? spec.bind("me", worker.instanceId()) : spec;
    }

    private Mono<Long> attempts(String hash) {
        return db.sql(ATTEMPTS).bind("hash", hash).map(row -> Sql.number(row.get("attempts"))).one()
                .defaultIfEmpty(0L);
    }

    /** The message's first failure; {@code now} if this is its first. */
    private Mono<Instant> firstFailure(String hash, Instant now) {
        return db.sql(FIRST_FAILURE).bind("hash", hash)
                .map(row -> Optional.ofNullable(row.get("first_failure_at", Instant.class)))
                .one()
                .map(first -> first.orElse(now))
                .defaultIfEmpty(now);
    }

    private void cacheSignature(String hash, String signature) {
        redisCalls.bounded(redis.opsForValue().set(RedisKeys.sig(hash), signature, signatureTtl))
                .subscribe(null, e -> log.warn("signature of hash={} not cached: {}", hash, e.toString()));
    }

    private void markDegraded(String hash, Instant until) {
        Duration left = Duration.between(Instant.now(), until);
        if (left.isNegative() || left.isZero()) {
            return;
        }
        redisCalls.bounded(redis.opsForValue().set(RedisKeys.backoff(hash), until.toString(), left))
                .subscribe(null, e -> log.warn("backoff of hash={} not set: {}", hash, e.toString()));
    }

    /** Not waited for: the signature is committed already, the event only tells the topic's readers. */
    private void announce(SignatureObtained event) {
        kafkaSends.bounded(Mono.fromFuture(() -> kafka.send(Topics.SIGN_SIGNATURES, event.messageHash(), event)))
                .subscribe(null, error -> log.warn("SignatureObtained of hash={} not published: {}",
                        event.messageHash(), error.toString()));
    }

    private static boolean isKeyRefused(Rejected rejected) {
        return rejected.status() == 401 || rejected.status() == 403;
    }

    private static String label(UpstreamOutcome outcome) {
        return switch (outcome) {
            case Signed s -> "signed";
            case Degraded d -> "degraded";
            case RateLimited r -> "rate_limited";
            case Rejected r -> "rejected";
            case Failed f -> "failed";
        };
    }
}
