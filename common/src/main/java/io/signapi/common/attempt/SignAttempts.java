package io.signapi.common.attempt;

import java.time.Duration;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Writes {@code sign_attempt} rows; through the given {@link DatabaseClient}, so the insert joins the caller's
 * reactive transaction when one is active.
 */
public final class SignAttempts {

    static final String INSERT = """
            INSERT INTO sign_attempt
                (message_hash, caller, instance_id, started_at, finished_at, outcome, http_status, latency_ms)
            VALUES (:messageHash, :caller, :instanceId, :startedAt, :finishedAt, :outcome, :httpStatus, :latencyMs)""";

    private SignAttempts() {
    }

    /** Inserts one attempt row; completes when written, errors as the database does. No timeout of its own. */
    public static Mono<Void> insert(DatabaseClient db, SignAttempt attempt) {
        DatabaseClient.GenericExecuteSpec insert = db.sql(INSERT)
                .bind("messageHash", attempt.messageHash())
                .bind("caller", attempt.caller().name())
                .bind("instanceId", attempt.instanceId())
                .bind("startedAt", attempt.startedAt())
                .bind("finishedAt", attempt.finishedAt())
                .bind("outcome", attempt.outcome().name())
                .bind("latencyMs", latencyMillis(attempt.latency()));
        insert = attempt.httpStatus() == null
                ? insert.bindNull("httpStatus", Integer.class)
                : insert.bind("httpStatus", attempt.httpStatus());
        return insert.then();
    }

    /** Whole milliseconds for the INT column; negative latencies (a clock step) count as zero. */
    private static int latencyMillis(Duration latency) {
        return (int) Math.clamp(latency.toMillis(), 0, Integer.MAX_VALUE);
    }
}
