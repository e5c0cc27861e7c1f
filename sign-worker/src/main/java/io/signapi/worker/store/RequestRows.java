package io.signapi.worker.store;

import java.time.Instant;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/**
 * The state changes of {@code sign_request} rows that every part of the worker shares: counting an upstream call
 * and finishing every pending request of a message. Callers run them inside their own transaction.
 */
@Component
public class RequestRows {

    private static final String COUNT_ATTEMPT = """
            UPDATE sign_request SET attempts = attempts + 1
            WHERE message_hash = :hash AND status = 'PENDING'""";

    private static final String COMPLETE_SIGNED = """
            UPDATE sign_request SET status = 'SIGNED', completed_at = :now
            WHERE message_hash = :hash AND status = 'PENDING'""";

    private static final String FAIL = """
            UPDATE sign_request SET status = 'FAILED', failure_reason = :reason, completed_at = :now
            WHERE message_hash = :hash AND status = 'PENDING'""";

    private static final String EXPIRE = """
            UPDATE sign_request SET status = 'FAILED', failure_reason = 'EXPIRED', completed_at = :now
            WHERE message_hash = :hash AND status = 'PENDING' AND created_at < :cutoff""";

    private final DatabaseClient db;

    RequestRows(DatabaseClient db) {
        this.db = db;
    }

    /**
     * One more upstream call for every pending request of the message: {@code attempts} counts the calls made for
     * the request's message since that request was accepted (docs/ARCHITECTURE.md, "Sign worker").
     */
    public Mono<Long> countAttempt(String messageHash) {
        return db.sql(COUNT_ATTEMPT).bind("hash", messageHash).fetch().rowsUpdated();
    }

    /** Every pending request of the message becomes SIGNED; answers how many did. */
    public Mono<Long> completeSigned(String messageHash, Instant now) {
        return db.sql(COMPLETE_SIGNED).bind("hash", messageHash).bind("now", now).fetch().rowsUpdated();
    }

    /** Every pending request of the message becomes FAILED for {@code reason}; answers how many did. */
    public Mono<Long> fail(String messageHash, String reason, Instant now) {
        return db.sql(FAIL).bind("hash", messageHash).bind("reason", reason).bind("now", now).fetch().rowsUpdated();
    }

    /** The message's pending requests accepted before {@code cutoff} become FAILED (EXPIRED); answers how many. */
    public Mono<Long> expire(String messageHash, Instant cutoff, Instant now) {
        return db.sql(EXPIRE).bind("hash", messageHash).bind("cutoff", cutoff).bind("now", now).fetch().rowsUpdated();
    }
}
