package io.signapi.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import io.signapi.common.MessageHash;
import io.signapi.common.event.SignRequested;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.event.Topics;
import io.signapi.testsupport.ConsumerGroups;
import io.signapi.worker.support.WorkerIntegrationTest;

/** Intake is idempotent, keeps conflicting idempotency keys apart and learns signatures obtained elsewhere. */
class IntakeIntegrationTest extends WorkerIntegrationTest {

    @Test
    void theSameRecordTwiceGivesOneRowAndOneEvent() {
        SignRequested request = request(freshMessage());
        publish(request);
        RecordMetadata again = publish(request);

        await().atMost(Duration.ofSeconds(15)).until(() -> "SIGNED".equals(status(request.requestId())));
        await().atMost(Duration.ofSeconds(5)).until(() -> !resultsOf(request.requestId()).isEmpty());
        // Both records were consumed (the second one changes nothing) before the counts are final.
        ConsumerGroups.awaitCommittedPast(bootstrapServers, "sign-worker", again);

        assertThat(count("SELECT COUNT(*) AS n FROM sign_request")).isEqualTo(1);
        assertThat(resultsOf(request.requestId())).hasSize(1);
        assertThat(signCalls()).hasSize(1);
    }

    @Test
    void theSameIdempotencyKeyWithAnotherMessageKeepsBothRequests() {
        String key = "key-" + UUID.randomUUID();
        SignRequested first = new SignRequested(UUID.randomUUID(), freshMessage(), null, null, key, Instant.now(),
                null);
        SignRequested second = new SignRequested(UUID.randomUUID(), freshMessage(), null, null, key, Instant.now(),
                null);
        publish(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(first.requestId()) != null);
        publish(second);

        await().atMost(Duration.ofSeconds(15)).until(() -> "SIGNED".equals(status(first.requestId()))
                && "SIGNED".equals(status(second.requestId())));
        assertThat(requestRow(first.requestId()).get("idempotency_key")).isEqualTo(key);
        assertThat(requestRow(second.requestId()).get("idempotency_key")).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> resultsOf(second.requestId()).size() == 1);
    }

    @Test
    void aSignatureObtainedElsewhereCompletesAPendingRequestWithoutACall() {
        String message = freshMessage();
        // The gateway's direct call just failed, so the worker waits half a window before its own call.
        SignRequested request = new SignRequested(UUID.randomUUID(), message, null, null, null, Instant.now(),
                Instant.now().plusSeconds(5));
        publish(request);
        await().atMost(Duration.ofSeconds(10)).until(() -> "PENDING".equals(status(request.requestId())));

        String hash = MessageHash.of(message);
        kafka.send(Topics.SIGN_SIGNATURES, hash,
                new SignatureObtained(hash, message, "signature-from-the-gateway", Instant.now(), "api-gateway/gw-1"))
                .join();

        await().atMost(Duration.ofSeconds(10)).until(() -> "SIGNED".equals(status(request.requestId())));
        await().atMost(Duration.ofSeconds(5)).until(() -> resultsOf(request.requestId()).size() == 1);
        assertThat(resultsOf(request.requestId()).getFirst().get("signature").asString())
                .isEqualTo("signature-from-the-gateway");
        assertThat(signCalls()).isEmpty();
    }
}
