package io.signapi.worker.intake;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.SignRequested;
import io.signapi.common.event.SignatureObtained;
import io.signapi.worker.outbox.Outbox;
import io.signapi.worker.retry.RetryBackoff;
import io.signapi.worker.store.RequestRows;
import io.signapi.worker.store.Sql;
import reactor.core.publisher.Mono;

/**
 * Records the intake events in MySQL, each in one transaction and idempotently, so a redelivered record changes
 * nothing; requests that finish at once (their signature is known) are published through the outbox after commit.
 */
@Component
class Intake {

    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    private static final String INSERT_MESSAGE = """
            INSERT IGNORE INTO sign_message (message_hash, message, next_attempt_at, created_at)
            VALUES (:hash, :message, :next, :createdAt)""";

    private static final String DIRECT_FAILURE = """
            UPDATE sign_message
            SET first_failure_at = COALESCE(first_failure_at, :at),
                last_failure_at = GREATEST(COALESCE(last_failure_at, :at), :at),
                next_attempt_at = GREATEST(next_attempt_at, :next)
            WHERE message_hash = :hash AND signature IS NULL AND next_attempt_at IS NOT NULL""";

    private static final String INSERT_REQUEST = """
            INSERT IGNORE INTO sign_request
                (id, message_hash, email, webhook, idempotency_key, status, attempts, created_at)
            VALUES (:id, :hash, :email, :webhook, :key, 'PENDING', :attempts, :createdAt)""";

    private static final String REQUEST_EXISTS = "SELECT COUNT(*) AS n FROM sign_request WHERE id = :id";

    private static final String MESSAGE_STATE = """
            SELECT signature, next_attempt_at FROM sign_message WHERE message_hash = :hash""";

    private static final String REFUSED = """
            SELECT COUNT(*) AS n FROM sign_request
            WHERE message_hash = :hash AND status = 'FAILED' AND failure_reason = 'REJECTED'""";

    // A message left unscheduled because every request of it expired is scheduled again for the new one.
    private static final String RESCHEDULE = """
            UPDATE sign_message SET next_attempt_at = :now
            WHERE message_hash = :hash AND signature IS NULL AND next_attempt_at IS NULL""";

    private static final String STORE_SIGNATURE = """
            INSERT INTO sign_message (message_hash, message, signature, signed_at, next_attempt_at, created_at)
            VALUES (:hash, :message, :signature, :signedAt, NULL, :signedAt)
            ON DUPLICATE KEY UPDATE
                signed_at = IF(signature IS NULL, VALUES(signed_at), signed_at),
                signature = COALESCE(signature, VALUES(signature)),
                next_attempt_at = NULL,
                expected_at = NULL""";

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final RequestRows requests;
    private final Outbox outbox;
    private final RetryBackoff backoff;
    private final Clock clock;

    Intake(DatabaseClient db, TransactionalOperator tx, RequestRows requests, Outbox outbox, RetryBackoff backoff,
            Clock clock) {
        this.db = db;
        this.tx = tx;
        this.requests = requests;
        this.outbox = outbox;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** Records an accepted request; completes once the transaction has committed (and its result is published). */
    Mono<Void> requested(SignRequested event) {
        String hash = event.messageHash();
        Instant now = clock.instant();
        Instant directFailedAt = event.directFailedAt();
        Mono<Boolean> finishedAtOnce = insertMessage(event, hash, directFailedAt == null ? now
                        : backoff.afterDegraded(directFailedAt, directFailedAt))
                .then(directFailedAt == null ? Mono.empty() : directFailure(hash, directFailedAt))
                .then(insertRequest(event, hash, event.idempotencyKey()))
                .flatMap(inserted -> inserted ? Mono.just(true) : retryWithoutKey(event, hash))
                .flatMap(inserted -> inserted ? finishIfKnown(hash, now) : Mono.just(false));
        return tx.transactional(finishedAtOnce)
                .flatMap(finished -> finished ? outbox.publishFinished(hash) : Mono.empty())
                .then();
    }

    /** Records a signature the gateway or another instance obtained, and finishes the message's pending requests. */
    Mono<Void> obtained(SignatureObtained event) {
        Instant now = clock.instant();
        Mono<Long> finished = db.sql(STORE_SIGNATURE)
                .bind("hash", event.messageHash())
                .bind("message", event.message())
                .bind("signature", event.signature())
                .bind("signedAt", event.obtainedAt())
                .fetch().rowsUpdated()
                .then(requests.completeSigned(event.messageHash(), now));
        return tx.transactional(finished)
                .flatMap(count -> {
                    if (count == 0) {
                        return Mono.empty();
                    }
                    log.info("signature obtained by {} finished {} pending requests hash={}", event.obtainedBy(),
                            count, event.messageHash());
                    return outbox.publishFinished(event.messageHash());
                })
                .then();
    }

    private Mono<Long> insertMessage(SignRequested event, String hash, Instant next) {
        return db.sql(INSERT_MESSAGE)
                .bind("hash", hash)
                .bind("message", event.message())
                .bind("next", next)
                .bind("createdAt", event.acceptedAt())
                .fetch().rowsUpdated();
    }

    /** The gateway's direct call just failed: a first failure at that instant, and a retry after the backoff. */
    private Mono<Void> directFailure(String hash, Instant at) {
        return db.sql(DIRECT_FAILURE)
                .bind("hash", hash)
                .bind("at", at)
                .bind("next", backoff.afterDegraded(at, at))
                .fetch().rowsUpdated()
                .then();
    }

    private Mono<Boolean> insertRequest(SignRequested event, String hash, String idempotencyKey) {
        var spec = db.sql(INSERT_REQUEST)
                .bind("id", event.requestId().toString())
                .bind("hash", hash)
                // The gateway's failed direct call was made for this request.
                .bind("attempts", event.directFailedAt() == null ? 0 : 1)
                .bind("createdAt", event.acceptedAt());
        spec = Sql.bindNullable(spec, "email", event.email(), String.class);
        spec = Sql.bindNullable(spec, "webhook", event.webhook(), String.class);
        spec = Sql.bindNullable(spec, "key", idempotencyKey, String.class);
        return spec.fetch().rowsUpdated().map(rows -> rows > 0);
    }

    /**
     * Nothing was inserted: either the record is a redelivery (the request exists), or another request holds the
     * idempotency key with a different message (the gateway could not check it while its Redis was down). The
     * second request is kept, without the key.
     */
    private Mono<Boolean> retryWithoutKey(SignRequested event, String hash) {
        return db.sql(REQUEST_EXISTS).bind("id", event.requestId().toString())
                .map(row -> Sql.number(row.get("n")))
                .one()
                .flatMap(existing -> {
                    if (existing > 0 || event.idempotencyKey() == null) {
                        log.debug("request already recorded requestId={} hash={}", event.requestId(), hash);
                        return Mono.just(false);
                    }
                    log.warn("idempotency key already held by another request; requestId={} hash={} stored without"
                            + " its key", event.requestId(), hash);
                    return insertRequest(event, hash, null);
                });
    }

    /** A new request of a message already signed, or already refused by the upstream, finishes at once. */
    private Mono<Boolean> finishIfKnown(String hash, Instant now) {
        return db.sql(MESSAGE_STATE).bind("hash", hash)
                .map(row -> new State(row.get("signature", String.class), row.get("next_attempt_at", Instant.class)))
                .one()
                .flatMap(state -> {
                    if (state.signature() != null) {
                        return requests.completeSigned(hash, now).map(count -> count > 0);
                    }
                    if (state.nextAttemptAt() == null) {
                        return refusedOrExpired(hash, now);
                    }
                    return Mono.just(false);
                });
    }

    /**
     * Unsigned and no longer scheduled: either the upstream refused the message (a 4xx, and its requests FAILED
     * REJECTED), and so is this request; or every earlier request of it expired, and it is scheduled again.
     */
    private Mono<Boolean> refusedOrExpired(String hash, Instant now) {
        return db.sql(REFUSED).bind("hash", hash).map(row -> Sql.number(row.get("n"))).one()
                .flatMap(refused -> refused > 0
                        ? requests.fail(hash, SignCompleted.Reason.REJECTED.name(), now).map(count -> count > 0)
                        : db.sql(RESCHEDULE).bind("hash", hash).bind("now", now).fetch().rowsUpdated()
                                .thenReturn(false));
    }

    private record State(String signature, Instant nextAttemptAt) {
    }
}
