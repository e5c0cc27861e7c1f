package io.signapi.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.signapi.common.event.SignRequested;
import io.signapi.common.event.Topics;
import io.signapi.testsupport.TopicRecords;
import io.signapi.worker.support.WorkerIntegrationTest;

/** An unreadable record goes to the dead-letter topic at its own partition, and the partition goes on. */
class DeadLetterIntegrationTest extends WorkerIntegrationTest {

    @Test
    void anUnreadableRecordLandsInTheDeadLetterTopicAndItsPartitionContinues() {
        int partition = 1;
        String garbage = "{\"type\":\"SignRequested\",\"not\":\"a request\"";
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.SIGN_REQUESTS, partition, "bad-key",
                    garbage.getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        SignRequested after = request(freshMessage());
        kafka.send(Topics.SIGN_REQUESTS, partition, after.messageHash(), after).join();

        await().atMost(Duration.ofSeconds(15)).until(() -> "SIGNED".equals(status(after.requestId())));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().stream()
                .anyMatch(r -> garbage.equals(r.value())));
        TopicRecords.Received dead = deadLetters().stream().filter(r -> garbage.equals(r.value())).findFirst()
                .orElseThrow();
        assertThat(dead.partition()).isEqualTo(partition);
        assertThat(dead.key()).isEqualTo("bad-key");
    }

    private List<TopicRecords.Received> deadLetters() {
        return TopicRecords.readAll(bootstrapServers, Topics.dlt(Topics.SIGN_REQUESTS));
    }
}
