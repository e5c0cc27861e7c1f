package io.signapi.worker.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.springframework.dao.TransientDataAccessException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.r2dbc.spi.R2dbcTransientException;
import io.signapi.common.config.SigningProperties;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Purges what is older than {@code signing.retention}: finished requests whose result is published and whose
 * deliveries are final (with those deliveries), upstream attempts, and messages no request refers to any more (their
 * text and their signature). Every statement touches at most one batch of rows by primary key or through an index
 * range, so a purge never locks a large range, and several instances may run it at once: a row deleted by one is
 * simply not found by the other.
 */
@Component
public class Retention {

    // Served by ix_sign_request_outbox (result_published, completed_at); a PENDING request has no completed_at.
    private static final String OLD_REQUESTS = """
            SELECT r.id FROM sign_request r
            WHERE r.result_published = TRUE AND r.completed_at < :cutoff
                AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.request_id = r.id AND n.next_attempt_at IS NOT NULL)
            ORDER BY r.completed_at
            LIMIT %d""";

    private static final String DELETE_NOTIFICATIONS = """
            DELETE FROM notification WHERE request_id IN (:ids) AND next_attempt_at IS NULL""";

    // A delivery made due again meanwhile (a replay) keeps its request.
    private static final String DELETE_REQUESTS = """
            DELETE FROM sign_request WHERE id IN (:ids)
                AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.request_id = sign_request.id)""";

    // Served by ix_sign_attempt_started.
    private static final String DELETE_ATTEMPTS = """
            DELETE FROM sign_attempt WHERE started_at < :cutoff ORDER BY started_at LIMIT %d""";

    // Served by ix_sign_message_created (V4); a message still scheduled is the call loop's, never purged.
    private static final String OLD_MESSAGES = """
            SELECT m.message_hash FROM sign_message m
            WHERE m.created_at < :cutoff AND m.next_attempt_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM sign_request r WHERE r.message_hash = m.message_hash)
            LIMIT %d""";

    // The lock keeps out an intake that would add a request of the message (its INSERT IGNORE waits for it) ...
    private static final String LOCK_MESSAGES = """
            SELECT message_hash FROM sign_message
            WHERE message_hash IN (:hashes) AND next_attempt_at IS NULL FOR UPDATE""";

    // ... and this locking read sees a request an intake committed before the lock was granted.
    private static final String REFERENCED = """
            SELECT DISTINCT message_hash FROM sign_request WHERE message_hash IN (:hashes) LOCK IN SHARE MODE""";

    private static final String DELETE_MESSAGES = """
            DELETE FROM sign_message WHERE message_hash IN (:hashes) AND next_attempt_at IS NULL""";

    /** A statement chosen as a deadlock victim (a purge crossing an intake or another purge) is run again. */
    private static final RetryBackoffSpec TRANSIENT = Retry.backoff(5, Duration.ofMillis(20))
            .maxBackoff(Duration.ofMillis(500))
            .filter(e -> e instanceof TransientDataAccessException || e instanceof R2dbcTransientException);

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final Clock clock;
    private final Duration retention;
    private final int batch;

    public Retention(DatabaseClient db, TransactionalOperator tx, Clock clock, SigningProperties signing,
            RetentionProperties settings) {
        this.db = db;
        this.tx = tx;
        this.clock = clock;
        this.retention = signing.retention();
        this.batch = settings.batchSize();
    }

    /** One purge of everything older than {@code now − signing.retention}, batch after batch. */
    public Mono<Purged> purge() {
        Instant cutoff = clock.instant().minus(retention);
        // Requests first: their messages are then no longer referred to.
        return repeatBatches(() -> requestBatch(cutoff)).flatMap(requests -> repeatBatches(() -> attemptBatch(cutoff))
                .flatMap(attempts -> repeatBatches(() -> messageBatch(cutoff))
                        .map(messages -> new Purged(requests, attempts, messages))));
    }

    /**
     * Runs batches until one deletes less than a whole batch (also when another instance got to it first: the next
     * run goes on); answers the rows deleted in all.
     */
    private Mono<Long> repeatBatches(Supplier<Mono<Long>> oneBatch) {
        return Mono.defer(oneBatch)
                .expand(deleted -> deleted >= batch ? Mono.defer(oneBatch) : Mono.empty())
                .reduce(0L, Long::sum);
    }

    private Mono<Long> requestBatch(Instant cutoff) {
        return db.sql(OLD_REQUESTS.formatted(batch)).bind("cutoff", cutoff)
                .map(row -> row.get("id", String.class))
                .all().collectList()
                .flatMap(ids -> ids.isEmpty() ? Mono.just(0L) : tx.transactional(
                        db.sql(DELETE_NOTIFICATIONS).bind("ids", ids).fetch().rowsUpdated()
                                .then(db.sql(DELETE_REQUESTS).bind("ids", ids).fetch().rowsUpdated()))
                        .retryWhen(TRANSIENT));
    }

    private Mono<Long> attemptBatch(Instant cutoff) {
        return db.sql(DELETE_ATTEMPTS.formatted(batch)).bind("cutoff", cutoff).fetch().rowsUpdated()
                .retryWhen(TRANSIENT);
    }

    private Mono<Long> messageBatch(Instant cutoff) {
        return db.sql(OLD_MESSAGES.formatted(batch)).bind("cutoff", cutoff)
                .map(row -> row.get("message_hash", String.class))
                .all().collectList()
                .flatMap(hashes -> hashes.isEmpty() ? Mono.just(0L) : tx.transactional(lockAndDelete(hashes))
                        .retryWhen(TRANSIENT));
    }

    private Mono<Long> lockAndDelete(List<String> hashes) {
        return db.sql(LOCK_MESSAGES).bind("hashes", hashes)
                .map(row -> row.get("message_hash", String.class))
                .all().collectList()
                .flatMap(locked -> locked.isEmpty() ? Mono.just(0L) : db.sql(REFERENCED).bind("hashes", locked)
                        .map(row -> row.get("message_hash", String.class))
                        .all().collect(Collectors.toSet())
                        .flatMap(referenced -> unreferenced(locked, referenced)));
    }

    private Mono<Long> unreferenced(List<String> locked, Set<String> referenced) {
        List<String> free = locked.stream().filter(hash -> !referenced.contains(hash)).toList();
        return free.isEmpty() ? Mono.just(0L)
                : db.sql(DELETE_MESSAGES).bind("hashes", free).fetch().rowsUpdated();
    }

    /** What one purge deleted. */
    public record Purged(long requests, long attempts, long messages) {

        boolean any() {
            return requests + attempts + messages > 0;
        }
    }
}
