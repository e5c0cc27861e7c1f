package io.signapi.worker.stats;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.r2dbc.spi.Readable;
import io.signapi.common.RedisKeys;
import io.signapi.common.backlog.BacklogStats;
import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.periodic.PeriodicTask;
import io.signapi.worker.retry.Learning;
import io.signapi.worker.store.Sql;
import reactor.core.publisher.Mono;

/**
 * Every {@code worker.stats-refresh}, computes the backlog figures from MySQL, publishes them as the Redis hash
 * {@code backlog:stats} (expiring after a few refresh periods, so a dead worker's figures vanish) and feeds the
 * backlog gauges.
 */
@Component
class BacklogPublisher extends PeriodicTask {

    /** How many refresh periods {@code backlog:stats} outlives its last refresh. */
    private static final int EXPIRY_PERIODS = 3;

    /** Calls per signature are measured over this many recent windows. */
    private static final int RECENT_WINDOWS = 10;

    private static final String FIGURES = """
            SELECT
              (SELECT COUNT(*) FROM sign_request WHERE status = 'PENDING') AS pending,
              (SELECT MIN(created_at) FROM sign_request WHERE status = 'PENDING') AS oldest_pending,
              (SELECT COUNT(*) FROM sign_message WHERE next_attempt_at IS NOT NULL AND signature IS NULL) AS due,
              (SELECT MIN(completed_at) FROM sign_request
                 WHERE result_published = FALSE AND completed_at IS NOT NULL) AS oldest_unpublished,
              (SELECT COUNT(*) FROM sign_attempt
                 WHERE started_at >= :since AND outcome IN ('SIGNED', 'DEGRADED', 'FAILED')) AS calls,
              (SELECT COUNT(*) FROM sign_attempt WHERE started_at >= :since AND outcome = 'SIGNED') AS signed""";

    private final DatabaseClient db;
    private final ReactiveStringRedisTemplate redis;
    private final BoundedCalls redisCalls;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Duration expiry;
    private final Duration recent;
    private final Duration timeout;
    private final Learning learning;
    private volatile double callsPerSignature = Double.NaN;

    BacklogPublisher(DatabaseClient db, ReactiveStringRedisTemplate redis, BoundedCalls redisCalls,
            WorkerMetrics metrics, Learning learning, Clock clock, WorkerProperties worker,
            UpstreamProperties upstream) {
        super("backlog figures", Duration.ZERO, worker.statsRefresh());
        this.db = db;
        this.redis = redis;
        this.redisCalls = redisCalls;
        this.metrics = metrics;
        this.learning = learning;
        this.clock = clock;
        this.expiry = worker.statsRefresh().multipliedBy(EXPIRY_PERIODS);
        this.recent = upstream.rateLimit().window().multipliedBy(RECENT_WINDOWS);
        this.timeout = worker.databaseTimeout();
    }

    /** Computes and publishes the figures once. */
    @Override
    protected Mono<BacklogStats> run() {
        Instant now = clock.instant();
        return db.sql(FIGURES).bind("since", now.minus(recent))
                .map(row -> figures(row, now))
                .one()
                .timeout(timeout)
                .flatMap(figures -> {
                    metrics.figures(figures.stats(), figures.oldestPendingSeconds(), figures.outboxLagSeconds());
                    return redisCalls.bounded(redis.opsForHash().putAll(RedisKeys.BACKLOG_STATS,
                                    figures.stats().toHash())
                                    .then(redis.expire(RedisKeys.BACKLOG_STATS, expiry)))
                            .thenReturn(figures.stats());
                });
    }

    private Figures figures(Readable row, Instant now) {
        long calls = Sql.number(row.get("calls"));
        long signed = Sql.number(row.get("signed"));
        if (calls > 0) {
            // No signature lately but calls made: each signature costs at least those calls.
            callsPerSignature = (double) calls / Math.max(signed, 1);
        } else if (Double.isNaN(callsPerSignature)) {
            // Nothing measured yet: what the slot policy expects a signature to cost.
            callsPerSignature = learning.current().expectedCallsPerSignature();
        }
        BacklogStats stats = new BacklogStats(Sql.number(row.get("due")), Sql.number(row.get("pending")),
                callsPerSignature, now);
        return new Figures(stats, age(row.get("oldest_pending", Instant.class), now),
                age(row.get("oldest_unpublished", Instant.class), now));
    }

    private static double age(Instant since, Instant now) {
        return since == null ? 0 : Math.max(Duration.between(since, now).toMillis(), 0) / 1000.0;
    }

    private record Figures(BacklogStats stats, double oldestPendingSeconds, double outboxLagSeconds) {
    }
}
