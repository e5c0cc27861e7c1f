package io.signapi.worker.expiry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.signapi.common.config.SigningProperties;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.outbox.Outbox;
import io.signapi.worker.periodic.PeriodicTask;
import io.signapi.worker.store.RequestRows;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Ends the requests that could not be signed within {@code signing.max-age}: every quarter window, each pending
 * request accepted longer ago becomes FAILED with {@code failure_reason} EXPIRED, one transaction per message, and
 * its {@code SignCompleted} (FAILED, reason EXPIRED) leaves through the outbox. A message left with no pending
 * request leaves the schedule, so no call is spent on it; a later request of it schedules it again (intake).
 */
@Component
class Expiry extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(Expiry.class);

    /** The most messages one run expires; the next run takes the rest. */
    static final int BATCH = 200;

    // Through ix_sign_request_status_created.
    private static final String EXPIRED = """
            SELECT DISTINCT message_hash FROM sign_request
            WHERE status = 'PENDING' AND created_at < :cutoff
            LIMIT :limit""";

    private static final String UNSCHEDULE = """
            UPDATE sign_message SET next_attempt_at = NULL, expected_at = NULL
            WHERE message_hash = :hash AND signature IS NULL
              AND NOT EXISTS (SELECT 1 FROM sign_request r WHERE r.message_hash = :hash AND r.status = 'PENDING')""";

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final RequestRows requests;
    private final Outbox outbox;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration timeout;

    Expiry(DatabaseClient db, TransactionalOperator tx, RequestRows requests, Outbox outbox, Clock clock,
            SigningProperties signing, UpstreamProperties upstream, WorkerProperties worker) {
        super("expiry", Duration.ZERO, upstream.rateLimit().window().dividedBy(4));
        this.db = db;
        this.tx = tx;
        this.requests = requests;
        this.outbox = outbox;
        this.clock = clock;
        this.maxAge = signing.maxAge();
        this.timeout = worker.databaseTimeout();
    }

    /** Expires what is due now; answers how many requests ended. */
    @Override
    protected Mono<Long> run() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(maxAge);
        return db.sql(EXPIRED).bind("cutoff", cutoff).bind("limit", BATCH)
                .map(row -> row.get("message_hash", String.class))
                .all()
                .collectList()
                .timeout(timeout)
                .flatMapMany(Flux::fromIterable)
                .concatMap(hash -> expire(hash, cutoff, now))
                .reduce(0L, Long::sum);
    }

    private Mono<Long> expire(String hash, Instant cutoff, Instant now) {
        Mono<Long> expired = requests.expire(hash, cutoff, now)
                .flatMap(count -> db.sql(UNSCHEDULE).bind("hash", hash).fetch().rowsUpdated().thenReturn(count));
        return tx.transactional(expired)
                .timeout(timeout)
                .flatMap(count -> {
                    log.warn("{} requests of hash={} not signed within {}: FAILED (EXPIRED)", count, hash, maxAge);
                    return outbox.publishFinished(hash).thenReturn(count);
                });
    }
}
