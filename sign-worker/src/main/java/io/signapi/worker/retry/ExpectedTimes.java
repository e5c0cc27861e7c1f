package io.signapi.worker.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;

import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.periodic.PeriodicTask;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps {@code sign_message.expected_at} of every scheduled message (the status endpoint's {@code estimatedReadyAt})
 * from the worker's own schedule, every {@code worker.stats-refresh}: the time by which the message is signed with
 * a chance of {@value #QUANTILE}, by the current {@link Beliefs}.
 *
 * <ul>
 * <li>A fresh message waits for its turn: fresh messages are called in the order of their oldest request, each
 * signature costing {@link Beliefs#expectedCallsPerSignature()} slots of the whole budget (limit per window +
 * margin), so the k-th one's first call is at now + (k + 1) × that × span ÷ limit. If the first-call success
 * rate p is below {@value #QUANTILE}, the failing share's recovery is added: the recovery estimate's
 * ((q − p) ÷ (1 − p))-quantile.</li>
 * <li>A degraded message is signed once it recovers: the time at which its chance reaches {@value #QUANTILE}, and
 * not before it is due.</li>
 * </ul>
 * Only changes of more than a tenth of a window are written, at most {@value #MAX_MESSAGES} messages (the longest due).
 */
@Component
class ExpectedTimes extends PeriodicTask {

    static final double QUANTILE = 0.8;
    static final int MAX_MESSAGES = 2000;
    private static final int CHUNK = 100;

    private static final String SCHEDULED = """
            SELECT m.message_hash, m.first_failure_at, m.last_failure_at, m.next_attempt_at, m.created_at,
                   m.expected_at,
                   (SELECT MIN(r.created_at) FROM sign_request r
                    WHERE r.message_hash = m.message_hash AND r.status = 'PENDING') AS oldest_request
            FROM sign_message m
            WHERE m.next_attempt_at IS NOT NULL AND m.signature IS NULL
            ORDER BY m.next_attempt_at, m.created_at
            LIMIT :limit""";

    private final DatabaseClient db;
    private final SlotPolicy policy;
    private final Learning learning;
    private final Clock clock;
    private final Duration slot;
    private final Duration tolerance;
    private final Duration timeout;

    ExpectedTimes(DatabaseClient db, SlotPolicy policy, Learning learning, Clock clock, UpstreamProperties upstream,
            WorkerProperties worker) {
        super("expected times", Duration.ZERO, worker.statsRefresh());
        this.db = db;
        this.policy = policy;
        this.learning = learning;
        this.clock = clock;
        this.slot = upstream.rateLimit().span().dividedBy(upstream.rateLimit().limit());
        this.tolerance = upstream.rateLimit().window().dividedBy(10);
        this.timeout = worker.databaseTimeout();
    }

    /** A scheduled message and what {@code expected_at} holds now. */
    record Scheduled(Candidate candidate, Instant expectedAt) {
    }

    /** A message's new expected time. */
    record Expected(String messageHash, Instant at) {
    }

    @Override
    protected Mono<Long> run() {
        Instant now = clock.instant();
        return db.sql(SCHEDULED).bind("limit", MAX_MESSAGES)
                .map(row -> new Scheduled(ScoredSlots.candidate(row), row.get("expected_at", Instant.class)))
                .all()
                .collectList()
                .timeout(timeout)
                .map(rows -> changed(rows, plan(rows.stream().map(Scheduled::candidate).toList(), learning.current(),
                        now)))
                .flatMapMany(changes -> Flux.fromIterable(chunks(changes)))
                .concatMap(this::write)
                .reduce(0L, Long::sum);
    }

    /** The expected signing time of each message, by the rules above; in the order given. */
    List<Expected> plan(List<Candidate> scheduled, Beliefs beliefs, Instant now) {
        double p = beliefs.firstCallSuccessRate();
        Duration perSignature = Duration.ofNanos(Math.round(slot.toNanos() * beliefs.expectedCallsPerSignature()));
        Duration recoveryAllowance = p >= QUANTILE ? Duration.ZERO
                : policy.ofWindows(beliefs.recovery().quantile((QUANTILE - p) / (1 - p)));
        List<Candidate> fresh = scheduled.stream().filter(Candidate::fresh)
                .sorted(Comparator.comparing(Candidate::oldestRequest).thenComparing(Candidate::messageHash))
                .toList();
        List<Expected> expected = new ArrayList<>(scheduled.size());
        for (int k = 0; k < fresh.size(); k++) {
            Candidate candidate = fresh.get(k);
            Instant turn = latest(now.plus(perSignature.multipliedBy(k + 1)), candidate.nextAttemptAt());
            expected.add(new Expected(candidate.messageHash(), turn.plus(recoveryAllowance)));
        }
        for (Candidate candidate : scheduled) {
            if (!candidate.fresh()) {
                expected.add(new Expected(candidate.messageHash(), degraded(candidate, beliefs, now)));
            }
        }
        return expected;
    }

    private Instant degraded(Candidate candidate, Beliefs beliefs, Instant now) {
        RecoveryEstimate recovery = beliefs.recovery();
        double failing = policy.windows(candidate.firstFailureAt(), candidate.lastFailureAt());
        double recovered = recovery.remaining(failing) < SlotPolicy.UNCHARTED ? Double.POSITIVE_INFINITY
                : recovery.timeAtChance(failing, QUANTILE);
        Instant at = Double.isInfinite(recovered) ? candidate.lastFailureAt().plus(policy.window())
                : candidate.firstFailureAt().plus(policy.ofWindows(recovered));
        return latest(latest(at, candidate.nextAttemptAt()), now.plus(slot));
    }

    private List<Expected> changed(List<Scheduled> rows, List<Expected> plan) {
        Map<String, Instant> before = new HashMap<>();
        rows.forEach(row -> before.put(row.candidate().messageHash(), row.expectedAt()));
        return plan.stream().filter(e -> {
            Instant old = before.get(e.messageHash());
            return old == null || Duration.between(old, e.at()).abs().compareTo(tolerance) > 0;
        }).toList();
    }

    private static List<List<Expected>> chunks(List<Expected> changes) {
        List<List<Expected>> chunks = new ArrayList<>();
        for (int i = 0; i < changes.size(); i += CHUNK) {
            chunks.add(changes.subList(i, Math.min(i + CHUNK, changes.size())));
        }
        return chunks;
    }

    /** One UPDATE for a chunk; a message signed or unscheduled meanwhile keeps its NULL. */
    private Mono<Long> write(List<Expected> chunk) {
        StringBuilder sql = new StringBuilder("UPDATE sign_message SET expected_at = CASE message_hash");
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < chunk.size(); i++) {
            sql.append(" WHEN :h").append(i).append(" THEN :t").append(i);
            in.append(i == 0 ? "" : ", ").append(":h").append(i);
        }
        sql.append(" END WHERE message_hash IN (").append(in)
                .append(") AND signature IS NULL AND next_attempt_at IS NOT NULL");
        GenericExecuteSpec spec = db.sql(sql.toString());
        for (int i = 0; i < chunk.size(); i++) {
            spec = spec.bind("h" + i, chunk.get(i).messageHash()).bind("t" + i, chunk.get(i).at());
        }
        return spec.fetch().rowsUpdated().timeout(timeout);
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
