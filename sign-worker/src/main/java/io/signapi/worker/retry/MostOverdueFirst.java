package io.signapi.worker.retry;

import java.time.Instant;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;

/** The first slot policy: the most overdue message by {@code next_attempt_at}, ties to the oldest message. */
@Component
class MostOverdueFirst implements NextMessage {

    // Reads through ix_sign_message_next_attempt; signed and refused messages have no next_attempt_at.
    private static final String DUE = """
            SELECT message_hash FROM sign_message
            WHERE next_attempt_at <= :now AND signature IS NULL
              AND (claimed_until IS NULL OR claimed_until < :now)
            ORDER BY next_attempt_at, created_at
            LIMIT :limit""";

    private final DatabaseClient db;

    MostOverdueFirst(DatabaseClient db) {
        this.db = db;
    }

    @Override
    public Flux<String> candidates(Instant now, int limit) {
        return db.sql(DUE).bind("now", now).bind("limit", limit)
                .map(row -> row.get("message_hash", String.class))
                .all();
    }
}
