package io.signapi.worker.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.signapi.common.event.SignRequested;
import io.signapi.common.event.Topics;
import io.signapi.testsupport.SendThreads;
import io.signapi.worker.support.WorkerIntegrationTest;

/**
 * A result whose publication failed after its commit is delivered by the sweeper, exactly once; every send runs off
 * the database's event loop.
 */
class OutboxIntegrationTest extends WorkerIntegrationTest {

    @Test
    void aCrashBetweenCommitAndPublishStillDeliversTheResult() {
        SignRequested request = request(freshMessage());
        AtomicInteger failures = new AtomicInteger();
        outbox.hook(event -> {
            if (event.requestId().equals(request.requestId()) && failures.getAndIncrement() == 0) {
                throw new IllegalStateException("the process died before publishing");
            }
        });
        publish(request);

        await().atMost(Duration.ofSeconds(10)).until(() -> "SIGNED".equals(status(request.requestId())));
        // The status commits before the publish is tried: await the failed attempt rather than race it.
        await().atMost(Duration.ofSeconds(10)).until(() -> failures.get() >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(request.requestId()).size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                Boolean.TRUE.equals(asBoolean(requestRow(request.requestId()).get("result_published"))));
        assertThat(resultsOf(request.requestId())).hasSize(1);
        assertThat(resultsOf(request.requestId()).getFirst().get("status").asString()).isEqualTo("SIGNED");
    }

    @Test
    void sendsToKafkaRunOffTheDatabaseEventLoop() {
        SignRequested request = request(freshMessage());
        publish(request);

        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(request.requestId()).size() == 1);
        // send() blocks while the broker is unreachable: neither the result nor the announcement may block the
        // MySQL event loop that completed the commit.
        assertThat(SendThreads.of(Topics.SIGN_RESULTS, request.requestId().toString()))
                .isNotEmpty().allMatch(thread -> thread.startsWith("kafka-send-"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !SendThreads.of(Topics.SIGN_SIGNATURES, request.messageHash()).isEmpty());
        assertThat(SendThreads.of(Topics.SIGN_SIGNATURES, request.messageHash()))
                .allMatch(thread -> thread.startsWith("kafka-send-"));
    }

    private static Boolean asBoolean(Object column) {
        return column instanceof Boolean b ? b : column instanceof Number n ? n.intValue() != 0 : null;
    }
}
