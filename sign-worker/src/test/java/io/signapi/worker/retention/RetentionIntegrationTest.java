package io.signapi.worker.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.reactive.TransactionalOperator;

import io.signapi.common.MessageHash;
import io.signapi.common.config.SigningProperties;
import io.signapi.worker.retention.Retention.Purged;
import io.signapi.worker.support.WorkerIntegrationTest;
import reactor.core.publisher.Mono;

/**
 * The retention purge with {@code signing.retention} shrunk to one hour and batches of two rows: two instances
 * purging at once delete everything older exactly once, and nothing newer or still in use.
 */
class RetentionIntegrationTest extends WorkerIntegrationTest {

    private static final SigningProperties SHRUNK = new SigningProperties(Duration.ofMinutes(30), Duration.ofHours(1));
    private static final RetentionProperties SMALL_BATCHES = new RetentionProperties(Duration.ofMinutes(1), 2);

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    private final Instant old = now.minus(Duration.ofHours(2));
    private final Instant recent = now.minus(Duration.ofMinutes(50));

    @Autowired
    private TransactionalOperator tx;

    @BeforeEach
    void keepTheSweeperOffTheUnpublishedRow() {
        context.getBean("outboxSweeper", SmartLifecycle.class).stop();
    }

    @AfterEach
    void restartTheSweeper() {
        context.getBean("outboxSweeper", SmartLifecycle.class).start();
    }

    @Test
    void purgesWhatIsOlderThanTheRetentionAndNothingNewer() {
        // Old and done: five requests (more than two batches), each with final deliveries and its own message.
        List<String> oldRequests = List.of(uuid(), uuid(), uuid(), uuid(), uuid());
        for (String id : oldRequests) {
            String hash = message(old, null);
            request(id, hash, old, true);
            notification(id, "WEBHOOK", "DELIVERED", null);
            notification(id, "EMAIL", "FAILED", null);
        }
        // Kept: finished within the retention (its message was created long ago, but is still referred to) ...
        String recentHash = message(old, null);
        String recentRequest = uuid();
        request(recentRequest, recentHash, recent, true);
        notification(recentRequest, "WEBHOOK", "DELIVERED", null);
        // ... old but its result not yet published (the outbox still needs it) ...
        String unpublished = uuid();
        request(unpublished, message(old, null), old, false);
        // ... old but a delivery made due again (a replay) ...
        String replayed = uuid();
        request(replayed, message(old, null), old, true);
        notification(replayed, "WEBHOOK", "PENDING", now.plus(Duration.ofHours(1)));
        // ... a message no request refers to, created within the retention, and an old one still scheduled.
        String recentMessage = message(recent, null);
        String scheduledMessage = message(old, now.plus(Duration.ofDays(1)));
        // An unreferenced old message goes, with its text and signature.
        String orphanMessage = message(old, null);
        attempt(recentHash, old);
        attempt(recentHash, old);
        attempt(recentHash, old);
        attempt(recentHash, recent);

        Retention one = new Retention(db, tx, Clock.systemUTC(), SHRUNK, SMALL_BATCHES);
        Retention two = new Retention(db, tx, Clock.systemUTC(), SHRUNK, SMALL_BATCHES);
        List<Purged> purged = new ArrayList<>(Mono.zip(one.purge(), two.purge(), List::of)
                .block(Duration.ofSeconds(30)));
        // A message whose request the other instance was still deleting is left to a later run: run until idle.
        for (int run = 0; run < 5 && !purged.getLast().equals(new Purged(0, 0, 0)); run++) {
            purged.add(one.purge().block(Duration.ofSeconds(10)));
        }

        assertThat(purged.getLast()).isEqualTo(new Purged(0, 0, 0));
        assertThat(purged.stream().mapToLong(Purged::requests).sum()).isEqualTo(5);
        assertThat(purged.stream().mapToLong(Purged::attempts).sum()).isEqualTo(3);
        assertThat(purged.stream().mapToLong(Purged::messages).sum()).isEqualTo(6);
        assertThat(ids("SELECT id AS v FROM sign_request"))
                .containsExactlyInAnyOrder(recentRequest, unpublished, replayed);
        assertThat(ids("SELECT request_id AS v FROM notification")).containsExactlyInAnyOrder(recentRequest, replayed);
        assertThat(ids("SELECT message_hash AS v FROM sign_message")).contains(recentHash, recentMessage,
                scheduledMessage).doesNotContain(orphanMessage).hasSize(5);
        assertThat(db.sql("SELECT started_at FROM sign_attempt").map(row -> row.get("started_at", Instant.class))
                .all().collectList().block(Duration.ofSeconds(5))).containsExactly(recent);

        // A second run finds nothing more.
        assertThat(one.purge().block(Duration.ofSeconds(10))).isEqualTo(new Purged(0, 0, 0));
    }

    @Test
    void refusesARetentionNoLongerThanTheMaximumAge() {
        assertThatThrownBy(() -> new SigningProperties(Duration.ofHours(24), Duration.ofHours(24)))
                .hasMessageContaining("signing.retention");
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** A message row created at {@code created}, signed unless it is still scheduled ({@code next} set). */
    private String message(Instant created, Instant next) {
        String message = freshMessage();
        String hash = MessageHash.of(message);
        var insert = db.sql("INSERT INTO sign_message (message_hash, message, signature, next_attempt_at, created_at,"
                        + " signed_at) VALUES (:h, :m, :s, :next, :c, :signed)")
                .bind("h", hash).bind("m", message).bind("c", created);
        insert = next == null ? insert.bind("s", "sig").bind("signed", created).bindNull("next", Instant.class)
                : insert.bindNull("s", String.class).bindNull("signed", Instant.class).bind("next", next);
        insert.then().block(Duration.ofSeconds(5));
        return hash;
    }

    private void request(String id, String hash, Instant completed, boolean published) {
        db.sql("INSERT INTO sign_request (id, message_hash, status, attempts, created_at, completed_at,"
                        + " result_published) VALUES (:id, :h, 'SIGNED', 1, :c, :done, :published)")
                .bind("id", id).bind("h", hash).bind("c", completed.minusSeconds(5)).bind("done", completed)
                .bind("published", published)
                .then().block(Duration.ofSeconds(5));
    }

    private void notification(String requestId, String channel, String status, Instant next) {
        var insert = db.sql("INSERT INTO notification (request_id, channel, status, attempts, created_at, updated_at,"
                        + " next_attempt_at) VALUES (:id, :ch, :st, 1, :c, :c, :next)")
                .bind("id", requestId).bind("ch", channel).bind("st", status).bind("c", old);
        (next == null ? insert.bindNull("next", Instant.class) : insert.bind("next", next))
                .then().block(Duration.ofSeconds(5));
    }

    private void attempt(String hash, Instant at) {
        db.sql("INSERT INTO sign_attempt (message_hash, caller, instance_id, started_at, finished_at, outcome,"
                        + " http_status, latency_ms) VALUES (:h, 'WORKER', 'test', :at, :at, 'DEGRADED', 502, 10)")
                .bind("h", hash).bind("at", at)
                .then().block(Duration.ofSeconds(5));
    }

    private List<String> ids(String sql) {
        return db.sql(sql).map(row -> row.get("v", String.class)).all().collectList().block(Duration.ofSeconds(5));
    }
}
