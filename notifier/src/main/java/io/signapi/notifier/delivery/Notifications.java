package io.signapi.notifier.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;

import io.r2dbc.spi.R2dbcTransientException;
import io.r2dbc.spi.Readable;
import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.config.NotifierProperties;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * The {@code notification} table as the delivery schedule: rows recorded from result events, claimed by a lease
 * ({@code claimed_until}, {@code claimed_by}) when due, and their outcomes recorded.
 */
@Component
public class Notifications {

    /** The column's size: {@code last_error VARCHAR(1024)}. */
    static final int MAX_ERROR = 1024;

    private static final String INSERT = """
            INSERT IGNORE INTO notification (request_id, channel, status, attempts, next_attempt_at, created_at,
                updated_at)
            VALUES (:id, :channel, 'PENDING', 0, :now, :now, :now)""";

    // Only a FAILED row: a DELIVERED one is never sent again, a live one is already on its schedule.
    private static final String RESET_FAILED = """
            UPDATE notification SET status = 'PENDING', attempts = 0, next_attempt_at = :now, updated_at = :now,
                claimed_until = NULL, claimed_by = NULL
            WHERE request_id = :id AND channel = :channel AND status = 'FAILED'""";

    // A conditional UPDATE is the lease: of two instances scanning at once, only one sees claimed_until expired.
    private static final String CLAIM = """
            UPDATE notification SET claimed_by = :me, claimed_until = :until, updated_at = :now
            WHERE next_attempt_at <= :now AND (claimed_until IS NULL OR claimed_until < :now)
            ORDER BY next_attempt_at
            LIMIT %d""";

    private static final String CLAIMED = """
            SELECT n.request_id, n.channel, n.attempts AS deliveries, r.status, r.attempts, r.completed_at,
                r.failure_reason, r.email, r.webhook, m.message, m.signature
            FROM notification n
            LEFT JOIN sign_request r ON r.id = n.request_id
            LEFT JOIN sign_message m ON m.message_hash = r.message_hash
            WHERE n.claimed_by = :me AND n.claimed_until = :until AND n.next_attempt_at IS NOT NULL""";

    private static final String RECORD = """
            UPDATE notification SET status = :status, attempts = attempts + 1, last_error = :error,
                delivered_at = :deliveredAt, next_attempt_at = :next, updated_at = :now, claimed_until = NULL,
                claimed_by = NULL
            WHERE request_id = :id AND channel = :channel AND claimed_by = :me AND claimed_until = :until
                AND status <> 'DELIVERED'""";

    /**
     * InnoDB may pick one of two crossing statements as a deadlock victim (a claim scans the next_attempt_at index
     * while a record moves a row within it); the victim was rolled back and is simply run again.
     */
    private static final RetryBackoffSpec TRANSIENT = Retry.backoff(5, Duration.ofMillis(10))
            .maxBackoff(Duration.ofMillis(200))
            .filter(e -> e instanceof TransientDataAccessException || e instanceof R2dbcTransientException);

    private final DatabaseClient db;
    private final Clock clock;
    private final String instanceId;
    private final Duration lease;
    private final Duration timeout;

    Notifications(DatabaseClient db, Clock clock, NotifierProperties notifier) {
        this.db = db;
        this.clock = clock;
        this.instanceId = notifier.instanceId();
        this.lease = notifier.lease();
        this.timeout = notifier.databaseTimeout();
    }

    /**
     * Records one PENDING row per channel, due now; a channel already recorded (in any status) is left alone.
     *
     * @return how many rows were new
     */
    public Mono<Long> recordPending(UUID requestId, List<Channel> channels) {
        return perChannel(INSERT, requestId, channels);
    }

    /**
     * Makes the request's FAILED rows of these channels due again, from a fresh schedule; only an operator's replay
     * of the result from {@code sign.results.dlt} asks for this.
     *
     * @return how many rows were reset
     */
    public Mono<Long> resetFailed(UUID requestId, List<Channel> channels) {
        return perChannel(RESET_FAILED, requestId, channels);
    }

    /** Runs {@code sql} once per channel (binding id, channel and one shared now) and sums the rows it updated. */
    private Mono<Long> perChannel(String sql, UUID requestId, List<Channel> channels) {
        Instant now = now();
        return Flux.fromIterable(channels)
                .concatMap(channel -> db.sql(sql)
                        .bind("id", requestId.toString())
                        .bind("channel", channel.name())
                        .bind("now", now)
                        .fetch().rowsUpdated()
                        .retryWhen(TRANSIENT))
                .reduce(0L, Long::sum)
                .timeout(timeout);
    }

    /** Claims up to {@code limit} due rows for this instance's lease and reads what each must send. */
    Flux<Claimed> claimDue(int limit) {
        Instant now = now();
        Instant until = now.plus(lease);
        return db.sql(CLAIM.formatted(limit))
                .bind("me", instanceId)
                .bind("until", until)
                .bind("now", now)
                .fetch().rowsUpdated()
                .retryWhen(TRANSIENT)
                .timeout(timeout)
                .flatMapMany(claimed -> claimed == 0 ? Flux.empty() : db.sql(CLAIMED)
                        .bind("me", instanceId)
                        .bind("until", until)
                        .map(row -> claimed(row, until))
                        .all()
                        .timeout(timeout));
    }

    /**
     * Records an attempt's result, if this instance still holds the row's lease.
     *
     * @param next the next attempt, null when the row is final
     * @return whether the row was updated
     */
    Mono<Boolean> record(Claimed row, Status status, @Nullable String error, @Nullable Instant next) {
        Instant now = now();
        GenericExecuteSpec spec = db.sql(RECORD)
                .bind("status", status.name())
                .bind("id", row.requestId().toString())
                .bind("channel", row.channel().name())
                .bind("me", instanceId)
                .bind("until", row.leaseUntil())
                .bind("now", now);
        spec = bindNullable(spec, "error", truncate(error), String.class);
        spec = bindNullable(spec, "deliveredAt", status == Status.DELIVERED ? now : null, Instant.class);
        spec = bindNullable(spec, "next", next, Instant.class);
        return spec.fetch().rowsUpdated().retryWhen(TRANSIENT).timeout(timeout).map(updated -> updated > 0);
    }

    private static <T> GenericExecuteSpec bindNullable(GenericExecuteSpec spec, String name, @Nullable T value,
            Class<T> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }

    static @Nullable String truncate(@Nullable String error) {
        if (error == null || error.length() <= MAX_ERROR) {
            return error;
        }
        return error.substring(0, MAX_ERROR - 1) + "…";
    }

    private Instant now() {
        // TIMESTAMP(6): the lease is matched by equality, so it must survive the round trip unchanged.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Claimed claimed(Readable row, Instant until) {
        UUID requestId = UUID.fromString(row.get("request_id", String.class));
        Channel channel = Channel.valueOf(row.get("channel", String.class));
        int attempt = number(row.get("deliveries", Number.class)) + 1;
        String status = row.get("status", String.class);
        String message = row.get("message", String.class);
        Instant completedAt = row.get("completed_at", Instant.class);
        Delivery delivery = null;
        if (status != null && message != null && completedAt != null && !"PENDING".equals(status)) {
            String reason = row.get("failure_reason", String.class);
            delivery = new Delivery(requestId, channel, attempt, SignCompleted.Status.valueOf(status), message,
                    row.get("signature", String.class), row.get("email", String.class),
                    row.get("webhook", String.class), number(row.get("attempts", Number.class)), completedAt,
                    reason == null ? null : SignCompleted.Reason.valueOf(reason));
        }
        return new Claimed(requestId, channel, attempt, until, delivery);
    }

    private static int number(@Nullable Number value) {
        return value == null ? 0 : value.intValue();
    }

    /**
     * A row this instance holds the lease of.
     *
     * @param delivery what to send; null when the request is not (or no longer) on record as finished
     */
    record Claimed(UUID requestId, Channel channel, int attempt, Instant leaseUntil, @Nullable Delivery delivery) {
    }
}
