package io.signapi.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.signapi.common.MessageHash;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.testsupport.CleanSlate;
import io.signapi.worker.support.WorkerIntegrationTest;

/** The scored slot policy at work on the real schedule: who gets the slots, and what it learns. */
class SlotPolicyIntegrationTest extends WorkerIntegrationTest {

    @Autowired
    private Learning learning;

    @Autowired
    private CleanSlate cleanSlate;

    /** Pauses the worker, then empties tables and call log again and relearns: nothing done before counts. */
    private void pauseWorkerOnACleanSlate() {
        pauseSharedWorker();
        cleanSlate.wipeTables();
        upstream.reset();
        // What earlier tests taught it (their first calls, their degradations) is forgotten: the prior again.
        learning.refresh().block(Duration.ofSeconds(10));
    }

    @Test
    void givesFreshMessagesTheirSlotsBeforeJustFailedOnes() {
        pauseWorkerOnACleanSlate();
        Instant now = Instant.now();
        // The just-failed ones have been due longer and their requests are older: only their chance is lower.
        List<String> failed = IntStream.range(0, 10).mapToObj(i -> schedule(freshMessage(), now.minusMillis(300),
                now.minusSeconds(3), now.minusSeconds(60 - i))).toList();
        List<String> fresh = IntStream.range(0, 10).mapToObj(i -> schedule(freshMessage(), null,
                now.minusSeconds(1), now.minusSeconds(30 - i))).toList();

        resumeSharedWorker();
        await().atMost(Duration.ofSeconds(20)).until(() -> signCalls().size() >= 20);

        List<String> order = signCalls().stream().map(CallRecord::message).toList();
        assertThat(order.subList(0, 10)).containsExactlyInAnyOrderElementsOf(fresh);
        assertThat(order.subList(10, 20)).containsExactlyInAnyOrderElementsOf(failed);
    }

    @Test
    void givesAMessageThatFailedLongAgoItsSlotBeforeAFreshOne() {
        pauseWorkerOnACleanSlate();
        Instant now = Instant.now();
        List<String> fresh = IntStream.range(0, 10).mapToObj(i -> schedule(freshMessage(), null,
                now.minusSeconds(3), now.minusSeconds(60 - i))).toList();
        // First failed nine windows ago, due only just now, and its request is the youngest.
        String longAgo = schedule(freshMessage(), now.minus(WINDOW.multipliedBy(9)), now.minusMillis(200),
                now.minusSeconds(1));

        resumeSharedWorker();
        await().atMost(Duration.ofSeconds(20)).until(() -> signCalls().size() >= 11);

        assertThat(signCalls().getFirst().message()).isEqualTo(longAgo);
        assertThat(signCalls().subList(1, 11).stream().map(CallRecord::message)).containsExactlyInAnyOrderElementsOf(
                fresh);
    }

    @Test
    void learnsAFixedDegradationOfTwoWindows() {
        upstream.configure(Map.of("failureRate", 1, "degradedMinWindows", 2, "degradedMaxWindows", 2));
        List<UUID> requests = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            var request = request(freshMessage());
            requests.add(request.requestId());
            publish(request);
        }

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == requests.size());

        Beliefs beliefs = learning.refresh().block(Duration.ofSeconds(10));
        assertThat(beliefs.recovery().observations()).isEqualTo(30);
        assertThat(beliefs.recovery().quantile(0.5)).isBetween(2.0, 2.5);
        assertThat(beliefs.firstCallSuccessRate()).isLessThan(0.2);
        assertThat(upstream.stats().rateLimited()).isZero();
    }

    /**
     * A scheduled message with one pending request, written as intake and earlier outcomes would have left it;
     * {@code failedAt} null for a message never seen degraded.
     */
    private String schedule(String message, Instant failedAt, Instant due, Instant requested) {
        String hash = MessageHash.of(message);
        var insert = db.sql("""
                        INSERT INTO sign_message (message_hash, message, attempts, first_failure_at, last_failure_at,
                            next_attempt_at, created_at)
                        VALUES (:h, :m, :a, :f, :f, :due, :c)""")
                .bind("h", hash).bind("m", message).bind("a", failedAt == null ? 0 : 1).bind("due", due)
                .bind("c", requested);
        (failedAt == null ? insert.bindNull("f", Instant.class) : insert.bind("f", failedAt)).then()
                .block(Duration.ofSeconds(5));
        db.sql("""
                        INSERT INTO sign_request (id, message_hash, status, attempts, created_at)
                        VALUES (:id, :h, 'PENDING', :a, :c)""")
                .bind("id", UUID.randomUUID().toString()).bind("h", hash).bind("a", failedAt == null ? 0 : 1)
                .bind("c", requested).then().block(Duration.ofSeconds(5));
        return message;
    }
}
