package io.signapi.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.context.SmartLifecycle;

import io.signapi.common.event.SignRequested;
import io.signapi.worker.support.WorkerIntegrationTest;

/** The worker keeps {@code sign_message.expected_at} of pending messages from its own schedule. */
class ExpectedTimesIntegrationTest extends WorkerIntegrationTest {

    @Test
    void keepsAnExpectedTimeForEveryPendingMessageLaterTheLaterItsTurn() {
        SmartLifecycle loop = context.getBean("callLoop", SmartLifecycle.class);
        loop.stop();
        try {
            List<SignRequested> requests = IntStream.range(0, 5)
                    .mapToObj(i -> new SignRequested(java.util.UUID.randomUUID(), freshMessage(), null, null, null,
                            Instant.now().minusSeconds(10 - i), null))
                    .toList();
            requests.forEach(this::publish);

            await().atMost(Duration.ofSeconds(15)).until(() ->
                    count("SELECT COUNT(*) AS n FROM sign_message WHERE expected_at IS NOT NULL") == 5);

            List<Instant> expected = requests.stream().map(r -> db.sql(
                            "SELECT expected_at FROM sign_message WHERE message_hash = :h").bind("h", r.messageHash())
                    .map(row -> row.get("expected_at", Instant.class)).one().block(Duration.ofSeconds(5))).toList();
            assertThat(expected.getFirst()).isAfter(Instant.now().minusSeconds(1));
            assertThat(expected).isSorted();
            assertThat(expected.getLast()).isAfter(expected.getFirst());
        } finally {
            loop.start();
        }
        // Once signed, the message has no expected time any more.
        await().atMost(Duration.ofSeconds(15)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_message WHERE expected_at IS NOT NULL") == 0);
    }
}
