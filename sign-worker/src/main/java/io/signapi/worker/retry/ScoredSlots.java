package io.signapi.worker.retry;

import java.time.Instant;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;

/**
 * The slot policy at work: reads the due, unleased messages (the {@value #SCAN} longest due, through
 * {@code ix_sign_message_next_attempt}), orders them by {@link SlotPolicy} with the current {@link Beliefs}, and
 * offers them best first to {@link Leases}, which leases the first one no other instance took meanwhile.
 */
@Component
class ScoredSlots implements NextMessage {

    /** The most due rows scored per slot; the longest waiting, so the max-wait bound always sees its candidates. */
    static final int SCAN = 500;

    static final String DUE = """
            SELECT m.message_hash, m.first_failure_at, m.last_failure_at, m.next_attempt_at, m.created_at,
                   (SELECT MIN(r.created_at) FROM sign_request r
                    WHERE r.message_hash = m.message_hash AND r.status = 'PENDING') AS oldest_request
            FROM sign_message m
            WHERE m.next_attempt_at <= :now AND m.signature IS NULL
              AND (m.claimed_until IS NULL OR m.claimed_until < :now)
            ORDER BY m.next_attempt_at, m.created_at
            LIMIT :limit""";

    private final DatabaseClient db;
    private final SlotPolicy policy;
    private final Learning learning;

    ScoredSlots(DatabaseClient db, SlotPolicy policy, Learning learning) {
        this.db = db;
        this.policy = policy;
        this.learning = learning;
    }

    @Override
    public Flux<String> candidates(Instant now, int limit) {
        return db.sql(DUE).bind("now", now).bind("limit", SCAN)
                .map(ScoredSlots::candidate)
                .all()
                .collectList()
                .flatMapIterable(due -> policy.order(due, learning.current(), now))
                .take(limit)
                .map(Candidate::messageHash);
    }

    static Candidate candidate(Readable row) {
        Instant oldest = row.get("oldest_request", Instant.class);
        return new Candidate(row.get("message_hash", String.class), row.get("first_failure_at", Instant.class),
                row.get("last_failure_at", Instant.class), row.get("next_attempt_at", Instant.class),
                oldest != null ? oldest : row.get("created_at", Instant.class));
    }
}
