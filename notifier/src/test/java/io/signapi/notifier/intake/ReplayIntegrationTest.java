package io.signapi.notifier.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.support.NotifierIntegrationTest;
import io.signapi.testsupport.ConsumerGroups;
import io.signapi.testsupport.HttpReceiver.Request;
import io.signapi.testsupport.TopicRecords.Received;

/**
 * A webhook down past its schedule ends FAILED with its result in {@code sign.results.dlt}; replaying that record
 * (with the replay header) delivers it exactly once, while an ordinary redelivery of the result never revives it.
 */
class ReplayIntegrationTest extends NotifierIntegrationTest {

    @Test
    void deliversAFailedWebhookExactlyOnceAfterItsDeadLetterIsReplayed() {
        String path = hookPath();
        receiver.byDefault(503);
        SignCompleted event = signed(null, receiver.url(path));
        publish(event);
        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(status(event.requestId(), Channel.WEBHOOK)));
        Received letter = awaitDeadLetter(event);
        int triesBefore = requests(path).size();
        assertThat(triesBefore).isEqualTo(4);

        receiver.byDefault(200);
        replay(letter);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.WEBHOOK)));
        assertThat(requests(path)).hasSize(triesBefore + 1);
        Request delivered = requests(path).getLast();
        assertThat(delivered.header("webhook-id")).isEqualTo("msg_" + event.requestId());
        assertThat(delivered.bodyText()).contains(event.signature());
        assertThat(attempts(event.requestId(), Channel.WEBHOOK)).isEqualTo(1);

        // The same replay again, once the row is DELIVERED, sends nothing more.
        RecordMetadata again = replay(letter);
        awaitConsumed(again);
        assertThat(status(event.requestId(), Channel.WEBHOOK)).isEqualTo("DELIVERED");
        assertThat(requests(path)).hasSize(triesBefore + 1);
        assertThat(deadLetters().stream().filter(l -> event.requestId().toString().equals(l.key()))).hasSize(1);
    }

    @Test
    void neverRevivesAFailedDeliveryOnAnOrdinaryRedelivery() {
        String path = hookPath();
        receiver.byDefault(503);
        SignCompleted event = signed(null, receiver.url(path));
        publish(event);
        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(status(event.requestId(), Channel.WEBHOOK)));
        awaitDeadLetter(event);
        int triesBefore = requests(path).size();
        receiver.byDefault(200);

        RecordMetadata redelivered = send(new ProducerRecord<>(Topics.SIGN_RESULTS, event.requestId().toString(),
                event));
        awaitConsumed(redelivered);

        assertThat(status(event.requestId(), Channel.WEBHOOK)).isEqualTo("FAILED");
        assertThat(notification(event.requestId(), Channel.WEBHOOK)).containsEntry("next_attempt_at", null);
        assertThat(requests(path)).hasSize(triesBefore);
    }

    @Test
    void replaysOnlyTheFailedChannel() {
        String path = hookPath();
        receiver.byDefault(503);
        SignCompleted event = signed("ada@example.com", receiver.url(path));
        publish(event);
        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(status(event.requestId(), Channel.WEBHOOK))
                && "DELIVERED".equals(status(event.requestId(), Channel.EMAIL)));
        Received letter = awaitDeadLetter(event);
        assertThat(letter.headers()).containsEntry("notifier-channel", "WEBHOOK");

        receiver.byDefault(200);
        replay(letter);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.WEBHOOK)));
        assertThat(mails()).hasSize(1);
    }

    private Received awaitDeadLetter(SignCompleted event) {
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().stream()
                .anyMatch(letter -> event.requestId().toString().equals(letter.key())));
        return deadLetters().stream().filter(l -> event.requestId().toString().equals(l.key())).findFirst()
                .orElseThrow();
    }

    /** What {@code ./stack dlt replay} does: the record's key and bytes back to its source, marked as a replay. */
    private RecordMetadata replay(Received letter) {
        ProducerRecord<Object, Object> record = new ProducerRecord<>(Topics.SIGN_RESULTS, letter.partition(),
                letter.key(), letter.value().getBytes(StandardCharsets.UTF_8));
        record.headers().add(Topics.REPLAY_HEADER, "true".getBytes(StandardCharsets.UTF_8));
        return send(record);
    }

    private RecordMetadata send(ProducerRecord<Object, Object> record) {
        try {
            return kafka.send(record).get(10, TimeUnit.SECONDS).getRecordMetadata();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until group {@code notifier} has committed past the record: the listener is done with it. */
    private void awaitConsumed(RecordMetadata sent) {
        ConsumerGroups.awaitCommittedPast(bootstrapServers, "notifier", sent);
    }
}
