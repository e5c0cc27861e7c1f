package io.signapi.gateway.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.signapi.gateway.config.GatewayProperties;
import reactor.core.publisher.Mono;

/**
 * Reads what explains a request from MySQL: its row, every upstream attempt for its message ({@code sign_attempt})
 * and its deliveries ({@code notification}, the notifier's table, read only).
 */
@Component
class HistoryRecords {

    /** The most attempts one answer lists: the latest ones. */
    static final int MAX_ATTEMPTS = 500;

    private static final String REQUEST = """
            SELECT message_hash, status, attempts, created_at, completed_at, failure_reason
            FROM sign_request WHERE id = :id""";

    // ix_sign_attempt_message (message_hash, started_at); the latest ones, put back in order by the caller.
    private static final String ATTEMPTS = """
            SELECT started_at, finished_at, caller, outcome, http_status, latency_ms
            FROM sign_attempt WHERE message_hash = :hash
            ORDER BY started_at DESC, id DESC
            LIMIT %d""".formatted(MAX_ATTEMPTS);

    private static final String NOTIFICATIONS = """
            SELECT channel, status, attempts, last_error, next_attempt_at, delivered_at, updated_at
            FROM notification WHERE request_id = :id ORDER BY channel""";

    private final DatabaseClient db;
    private final Duration timeout;

    HistoryRecords(DatabaseClient db, GatewayProperties gateway) {
        this.db = db;
        this.timeout = gateway.databaseTimeout();
    }

    /** The request's row, empty when unknown; errors when MySQL cannot answer in time. */
    Mono<Request> request(UUID requestId) {
        return db.sql(REQUEST).bind("id", requestId.toString())
                .map((row, meta) -> new Request(row.get("message_hash", String.class), row.get("status", String.class),
                        number(row.get("attempts", Number.class)), row.get("created_at", Instant.class),
                        row.get("completed_at", Instant.class), row.get("failure_reason", String.class)))
                .one()
                .timeout(timeout);
    }

    /** The message's latest attempts, oldest first. */
    Mono<List<Attempt>> attempts(String messageHash) {
        return db.sql(ATTEMPTS).bind("hash", messageHash)
                .map((row, meta) -> {
                    Number status = row.get("http_status", Number.class);
                    return new Attempt(row.get("started_at", Instant.class), row.get("finished_at", Instant.class),
                            row.get("caller", String.class), row.get("outcome", String.class),
                            status == null ? null : status.intValue(), number(row.get("latency_ms", Number.class)));
                })
                .all()
                .collectList()
                .map(latestFirst -> latestFirst.reversed())
                .timeout(timeout);
    }

    /** The request's deliveries, one per channel. */
    Mono<List<Notification>> notifications(UUID requestId) {
        return db.sql(NOTIFICATIONS).bind("id", requestId.toString())
                .map((row, meta) -> new Notification(row.get("channel", String.class), row.get("status", String.class),
                        number(row.get("attempts", Number.class)), row.get("last_error", String.class),
                        row.get("next_attempt_at", Instant.class), row.get("delivered_at", Instant.class),
                        row.get("updated_at", Instant.class)))
                .all()
                .collectList()
                .timeout(timeout);
    }

    private static int number(@Nullable Number value) {
        return value == null ? 0 : value.intValue();
    }

    /** The request's own row. */
    record Request(String messageHash, String status, int attempts, Instant createdAt, @Nullable Instant completedAt,
            @Nullable String failureReason) {
    }

    /** One upstream call for the message. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attempt(Instant startedAt, Instant finishedAt, String caller, String outcome, @Nullable Integer httpStatus,
            int latencyMs) {
    }

    /** One delivery channel of the request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Notification(String channel, String status, int attempts, @Nullable String lastError,
            @Nullable Instant nextAttemptAt, @Nullable Instant deliveredAt, Instant updatedAt) {
    }
}
