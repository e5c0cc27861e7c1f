package io.signapi.worker.calls;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps the gateway out of the worker reserve while any message is due (leased ones included), on its own timer
 * every quarter window; a denied slot can name a wait longer than the marker lives. The marker is never cleared:
 * another instance may hold a lease, so it just lapses one window after nothing is due.
 */
@Component
class WorkerMarker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerMarker.class);

    private static final String ANY_DUE = """
            SELECT message_hash FROM sign_message
            WHERE next_attempt_at <= :now AND signature IS NULL
            LIMIT 1""";

    private final DatabaseClient db;
    private final UpstreamBudget budget;
    private final Clock clock;
    private final Duration period;
    private final Duration timeout;
    private volatile Disposable running;

    WorkerMarker(DatabaseClient db, UpstreamBudget budget, Clock clock, UpstreamProperties upstream,
            WorkerProperties worker) {
        this.db = db;
        this.budget = budget;
        this.clock = clock;
        this.period = upstream.rateLimit().window().dividedBy(4);
        this.timeout = worker.databaseTimeout();
    }

    @Override
    public void start() {
        running = Flux.interval(Duration.ZERO, period)
                .onBackpressureDrop()
                .concatMap(tick -> db.sql(ANY_DUE).bind("now", clock.instant())
                        .map(row -> true).first()
                        .timeout(timeout)
                        .flatMap(due -> budget.markWorkerWaiting())
                        .onErrorResume(e -> {
                            log.debug("due check failed: {}", e.toString());
                            return Mono.empty();
                        }))
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable current = running;
        if (current != null) {
            current.dispose();
        }
        running = null;
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
