package io.signapi.worker.calls;

import java.time.Clock;
import java.time.Duration;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.periodic.PeriodicTask;
import reactor.core.publisher.Mono;

/**
 * Keeps the gateway out of the worker reserve while any message is due (leased ones included), on its own timer
 * every quarter window; a denied slot can name a wait longer than the marker lives. The marker is never cleared:
 * another instance may hold a lease, so it just lapses one window after nothing is due.
 */
@Component
class WorkerMarker extends PeriodicTask {

    private static final String ANY_DUE = """
            SELECT message_hash FROM sign_message
            WHERE next_attempt_at <= :now AND signature IS NULL
            LIMIT 1""";

    private final DatabaseClient db;
    private final UpstreamBudget budget;
    private final Clock clock;
    private final Duration timeout;

    WorkerMarker(DatabaseClient db, UpstreamBudget budget, Clock clock, UpstreamProperties upstream,
            WorkerProperties worker) {
        super("worker marker", Duration.ZERO, upstream.rateLimit().window().dividedBy(4));
        this.db = db;
        this.budget = budget;
        this.clock = clock;
        this.timeout = worker.databaseTimeout();
    }

    @Override
    protected Mono<?> run() {
        return db.sql(ANY_DUE).bind("now", clock.instant())
                .map(row -> true).first()
                .timeout(timeout)
                .flatMap(due -> budget.markWorkerWaiting());
    }
}
