package io.signapi.worker.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.r2dbc.spi.Readable;
import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.common.log.OutcomeLog;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.stats.WorkerMetrics;
import io.signapi.worker.store.Sql;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The outbox: publishes one {@code SignCompleted} per finished request to {@code sign.results} after the finishing
 * transaction committed, then marks the request {@code result_published}; {@link OutboxSweeper} retries what a crash
 * or a Kafka fault left unmarked.
 */
@Component
public class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private static final String COLUMNS = """
            SELECT r.id, r.message_hash, r.status, r.email, r.webhook, r.attempts, r.created_at, r.completed_at, r.failure_reason,
                   m.message, m.signature
            FROM sign_request r JOIN sign_message m ON m.message_hash = r.message_hash
            """;

    private static final String OF_MESSAGE = COLUMNS + """
            WHERE r.message_hash = :hash AND r.status <> 'PENDING' AND r.result_published = FALSE""";

    private static final String STALE = COLUMNS + """
            WHERE r.result_published = FALSE AND r.completed_at IS NOT NULL AND r.completed_at < :before
            ORDER BY r.completed_at LIMIT :limit""";

    private static final String MARK = "UPDATE sign_request SET result_published = TRUE WHERE id = :id";

    private final DatabaseClient db;
    private final KafkaTemplate<String, Object> kafka;
    private final BoundedCalls kafkaSends;
    private final WorkerMetrics metrics;
    private final Duration timeout;
    private volatile PublishHook hook = PublishHook.NONE;

    Outbox(DatabaseClient db, KafkaTemplate<String, Object> kafka, BoundedCalls kafkaSends, WorkerMetrics metrics,
            WorkerProperties worker) {
        this.db = db;
        this.kafka = kafka;
        this.kafkaSends = kafkaSends;
        this.metrics = metrics;
        this.timeout = worker.databaseTimeout();
    }

    /** Publishes every finished, unpublished request of one message; never errors (the sweeper retries). */
    public Mono<Void> publishFinished(String messageHash) {
        return publish(db.sql(OF_MESSAGE).bind("hash", messageHash).map(Outbox::finished).all(), true)
                .onErrorResume(e -> {
                    log.warn("results of hash={} not published yet, the sweeper retries: {}", messageHash,
                            e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Publishes finished requests left unmarked for longer than {@code olderThan}; answers how many. */
    Mono<Long> publishStale(Instant now, Duration olderThan, int limit) {
        return publish(db.sql(STALE).bind("before", now.minus(olderThan)).bind("limit", limit)
                .map(Outbox::finished).all(), false)
                .count();
    }

    /** For fault tests: runs before each publish and may fail it, as a crash between commit and publish would. */
    public void hook(PublishHook hook) {
        this.hook = hook == null ? PublishHook.NONE : hook;
    }

    private Flux<Finished> publish(Flux<Finished> rows, boolean fresh) {
        return rows.timeout(timeout)
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .concatMap(row -> send(row, fresh).thenReturn(row));
    }

    private Mono<Void> send(Finished row, boolean fresh) {
        SignCompleted event = row.event();
        return kafkaSends.bounded(Mono.fromRunnable(() -> hook.beforePublish(event))
                        .then(Mono.fromFuture(() -> kafka.send(Topics.SIGN_RESULTS, event.requestId().toString(),
                                event))))
                .then(db.sql(MARK).bind("id", row.id()).fetch().rowsUpdated().timeout(timeout))
                .doOnSuccess(marked -> {
                    // The request's outcome line: from its acceptance to its result.
                    OutcomeLog.outcome("result", row.id(), row.messageHash(), event.status().name(),
                            Duration.between(row.createdAt(), event.completedAt()), "attempts=" + event.attempts()
                                    + (event.reason() == null ? "" : " reason=" + event.reason())
                                    + (fresh ? "" : " publishedBy=sweeper"));
                    if (fresh && event.status() == SignCompleted.Status.SIGNED) {
                        metrics.signatureLatency(Duration.between(row.createdAt(), event.completedAt()));
                    }
                })
                .then();
    }

    private static Finished finished(Readable row) {
        String id = row.get("id", String.class);
        String reason = row.get("failure_reason", String.class);
        SignCompleted.Status status = SignCompleted.Status.valueOf(row.get("status", String.class));
        SignCompleted event = new SignCompleted(UUID.fromString(id), status,
                row.get("message", String.class),
                status == SignCompleted.Status.SIGNED ? row.get("signature", String.class) : null,
                row.get("email", String.class),
                row.get("webhook", String.class),
                (int) Sql.number(row.get("attempts")),
                row.get("completed_at", Instant.class),
                reason == null ? null : SignCompleted.Reason.valueOf(reason));
        return new Finished(id, row.get("message_hash", String.class), row.get("created_at", Instant.class), event);
    }

    private record Finished(String id, String messageHash, Instant createdAt, SignCompleted event) {
    }

    /** Runs before each result is published; a test's fault injection. */
    @FunctionalInterface
    public interface PublishHook {
        PublishHook NONE = event -> {
        };

        void beforePublish(SignCompleted event);
    }
}
