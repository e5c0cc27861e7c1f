package io.signapi.gateway.status;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.signapi.gateway.config.GatewayProperties;
import reactor.core.publisher.Mono;

/** Reads a request's durable state from MySQL ({@code sign_request} joined to {@code sign_message}). */
@Component
class RequestRecords {

    private static final String FIND = """
            SELECT r.status, r.attempts, r.created_at, r.completed_at, r.failure_reason, m.signature, m.expected_at
            FROM sign_request r LEFT JOIN sign_message m ON m.message_hash = r.message_hash
            WHERE r.id = :id""";

    private final DatabaseClient db;
    private final Duration timeout;

    RequestRecords(DatabaseClient db, GatewayProperties gateway) {
        this.db = db;
        this.timeout = gateway.databaseTimeout();
    }

    /** The request's row, empty when unknown; errors when MySQL cannot answer in time. */
    Mono<RequestRecord> find(UUID requestId) {
        return db.sql(FIND)
                .bind("id", requestId.toString())
                .map((row, meta) -> new RequestRecord(
                        row.get("status", String.class),
                        number(row.get("attempts", Number.class)),
                        row.get("created_at", Instant.class),
                        row.get("completed_at", Instant.class),
                        row.get("signature", String.class),
                        row.get("failure_reason", String.class),
                        row.get("expected_at", Instant.class)))
                .one()
                .timeout(timeout);
    }

    private static int number(@Nullable Number value) {
        return value == null ? 0 : value.intValue();
    }

    /**
     * One row as the status endpoint needs it; {@code expectedAt} is the worker's own estimate of when the message
     * will be signed ({@code sign_message.expected_at}), null until the worker has planned it.
     */
    record RequestRecord(String status, int attempts, Instant createdAt, @Nullable Instant completedAt,
            @Nullable String signature, @Nullable String failureReason, @Nullable Instant expectedAt) {
    }
}
