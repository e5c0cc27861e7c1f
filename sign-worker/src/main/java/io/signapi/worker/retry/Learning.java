package io.signapi.worker.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.periodic.PeriodicTask;
import io.signapi.worker.retry.RecoveryEstimate.Observation;
import io.signapi.worker.stats.WorkerMetrics;
import io.signapi.worker.store.Sql;
import reactor.core.publisher.Mono;

/**
 * Learns the slot policy's {@link Beliefs} from MySQL every {@code worker.stats-refresh}: the first-call success
 * rate from {@code sign_attempt} (every caller's), the recovery estimate from {@code sign_message}'s first and
 * latest failure and signing times, for the messages {@code sign_attempt} shows degraded lately. Both read the recent past only ({@value #LEARNING_WINDOWS} windows, at most
 * {@value #MAX_MESSAGES} messages), and both live in the database, so a restarted instance knows at once what the
 * others learned.
 */
@Component
public class Learning extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(Learning.class);

    /** How far back outcomes are learned from, in windows. */
    static final int LEARNING_WINDOWS = 100;
    /** The most messages the recovery estimate is learned from (the latest degraded). */
    static final int MAX_MESSAGES = 1000;

    // Each message's first call in the span that reached signing; a message whose first failure precedes the span
    // made its first call before it, so its calls in the span are retries and do not count.
    private static final String FIRST_CALLS = """
            SELECT a.outcome, COUNT(*) AS n
            FROM sign_attempt a
            JOIN (SELECT message_hash, MIN(id) AS first_id FROM sign_attempt
                  WHERE started_at >= :since AND outcome IN ('SIGNED', 'DEGRADED')
                  GROUP BY message_hash) f ON a.id = f.first_id
            LEFT JOIN sign_message m ON m.message_hash = a.message_hash
            WHERE m.first_failure_at IS NULL OR m.first_failure_at >= :since
            GROUP BY a.outcome""";

    // The latest degraded messages, found through ix_sign_attempt_started (a directFailedAt has its gateway row).
    private static final String DEGRADATIONS = """
            SELECT m.first_failure_at, m.last_failure_at, m.signed_at
            FROM sign_message m
            JOIN (SELECT message_hash, MAX(started_at) AS latest FROM sign_attempt
                  WHERE started_at >= :since AND outcome = 'DEGRADED'
                  GROUP BY message_hash
                  ORDER BY latest DESC
                  LIMIT :limit) d ON d.message_hash = m.message_hash
            WHERE m.first_failure_at IS NOT NULL""";

    private final DatabaseClient db;
    private final SlotPolicy policy;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Duration timeout;
    private final AtomicReference<Beliefs> current = new AtomicReference<>(Beliefs.PRIOR);

    Learning(DatabaseClient db, SlotPolicy policy, WorkerMetrics metrics, Clock clock, WorkerProperties worker) {
        super("learning", Duration.ZERO, worker.statsRefresh());
        this.db = db;
        this.policy = policy;
        this.metrics = metrics;
        this.clock = clock;
        this.timeout = worker.databaseTimeout();
        publish(Beliefs.PRIOR);
    }

    /** The beliefs last learned (the prior until the first refresh). */
    public Beliefs current() {
        return current.get();
    }

    /** Learns once and answers the new beliefs. */
    public Mono<Beliefs> refresh() {
        return run();
    }

    @Override
    protected Mono<Beliefs> run() {
        Instant since = clock.instant().minus(policy.ofWindows(LEARNING_WINDOWS));
        Mono<long[]> firstCalls = db.sql(FIRST_CALLS).bind("since", since)
                .map(row -> new Object[] {row.get("outcome", String.class), Sql.number(row.get("n"))})
                .all()
                .reduceWith(() -> new long[2], (sums, row) -> {
                    long n = (long) row[1];
                    if ("SIGNED".equals(row[0])) {
                        sums[0] += n;
                    }
                    sums[1] += n;
                    return sums;
                });
        Mono<List<Observation>> degradations = db.sql(DEGRADATIONS).bind("since", since).bind("limit", MAX_MESSAGES)
                .map(row -> observation(row.get("first_failure_at", Instant.class),
                        row.get("last_failure_at", Instant.class), row.get("signed_at", Instant.class)))
                .all()
                .collect(ArrayList::new, List::add);
        return Mono.zip(firstCalls, degradations)
                .timeout(timeout)
                .map(both -> {
                    long[] calls = both.getT1();
                    Beliefs beliefs = new Beliefs(Beliefs.successRate(calls[0], calls[1]), (int) calls[1],
                            RecoveryEstimate.learn(both.getT2()));
                    publish(beliefs);
                    log.debug("beliefs: first-call success rate {} of {} calls, {}", beliefs.firstCallSuccessRate(),
                            beliefs.firstCalls(), beliefs.recovery());
                    return beliefs;
                });
    }

    private Observation observation(Instant first, Instant last, Instant signed) {
        double failing = policy.windows(first, last == null ? first : last);
        return signed == null ? Observation.stillFailing(failing)
                : new Observation(failing, policy.windows(first, signed));
    }

    private void publish(Beliefs beliefs) {
        current.set(beliefs);
        RecoveryEstimate recovery = beliefs.recovery();
        metrics.beliefs(beliefs.firstCallSuccessRate(), recovery.quantile(0.1), recovery.quantile(0.5),
                recovery.quantile(0.9));
    }
}
