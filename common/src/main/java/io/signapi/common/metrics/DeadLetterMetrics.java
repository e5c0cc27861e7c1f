package io.signapi.common.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * The records held by each dead-letter topic, {@code dead.letter.records{topic}}: end offset − earliest offset over
 * its partitions (what an operator can list and replay; topic retention removes old ones). Read through the Kafka
 * admin API at most once per {@link ConsumerLagMetrics#MAX_AGE}, in the background; NaN while the broker cannot be
 * asked or the topic does not exist.
 */
public final class DeadLetterMetrics implements DisposableBean {

    private final KafkaOffsets offsets;
    private final List<String> topics;
    private final CachedReading<Map<String, Long>> reading;

    public DeadLetterMetrics(KafkaAdmin admin, List<String> topics, Duration timeout, MeterRegistry registry) {
        this.offsets = new KafkaOffsets(admin, timeout);
        this.topics = List.copyOf(topics);
        this.reading = new CachedReading<>("dead-letter topics", this::read, ConsumerLagMetrics.MAX_AGE);
        for (String topic : topics) {
            Gauge.builder("dead.letter.records", this, m -> m.records(topic))
                    .description("Records in the dead-letter topic, waiting to be inspected or replayed")
                    .tag("topic", topic)
                    .baseUnit("records")
                    .register(registry);
        }
    }

    private double records(String topic) {
        Map<String, Long> counts = reading.get();
        Long count = counts == null ? null : counts.get(topic);
        return count == null ? Double.NaN : count;
    }

    Mono<Map<String, Long>> read() {
        return offsets.partitions(topics).flatMap(partitions -> Mono.zip(offsets.end(partitions),
                offsets.earliest(partitions)).map(t -> {
                    Map<String, Long> counts = new HashMap<>();
                    for (TopicPartition partition : partitions) {
                        long held = t.getT1().getOrDefault(partition, 0L) - t.getT2().getOrDefault(partition, 0L);
                        counts.merge(partition.topic(), Math.max(0, held), Long::sum);
                    }
                    return Map.copyOf(counts);
                }));
    }

    @Override
    public void destroy() {
        offsets.close();
    }
}
