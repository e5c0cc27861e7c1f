package io.signapi.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import io.signapi.common.event.SignRequested;
import io.signapi.common.event.Topics;
import io.signapi.testsupport.ConsumerGroups;
import io.signapi.worker.support.WorkerIntegrationTest;

/** A request replayed from {@code sign.requests.dlt} (header {@code signapi-replay}) is processed idempotently. */
class ReplayIntegrationTest extends WorkerIntegrationTest {

    @Test
    void aReplayedRequestAlreadyRecordedChangesNothing() throws Exception {
        SignRequested request = request(freshMessage());
        publish(request);
        await().atMost(Duration.ofSeconds(15)).until(() -> "SIGNED".equals(status(request.requestId())));
        await().atMost(Duration.ofSeconds(5)).until(() -> resultsOf(request.requestId()).size() == 1);

        ProducerRecord<String, Object> replay = new ProducerRecord<>(Topics.SIGN_REQUESTS, request.messageHash(),
                request);
        replay.headers().add(Topics.REPLAY_HEADER, "true".getBytes(StandardCharsets.UTF_8));
        RecordMetadata sent = kafka.send(replay).get(10, TimeUnit.SECONDS).getRecordMetadata();
        awaitConsumed(sent);

        assertThat(count("SELECT COUNT(*) AS n FROM sign_request")).isEqualTo(1);
        assertThat(status(request.requestId())).isEqualTo("SIGNED");
        assertThat(resultsOf(request.requestId())).hasSize(1);
        assertThat(signCalls()).hasSize(1);
    }

    /** Waits until group {@code sign-worker} has committed past the record. */
    private void awaitConsumed(RecordMetadata sent) {
        ConsumerGroups.awaitCommittedPast(bootstrapServers, "sign-worker", sent);
    }
}
