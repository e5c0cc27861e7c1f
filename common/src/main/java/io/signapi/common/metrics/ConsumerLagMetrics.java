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
 * Consumer lag of one group as a gauge per topic, {@code consumer.group.lag{group, topic}}: the records on the
 * topic's partitions that the group has not committed yet (end offset − committed offset; a partition the group never
 * committed counts from its earliest offset). Read through the Kafka admin API at most once per {@link #MAX_AGE}, in
 * the background (see {@link CachedReading}); NaN while the broker cannot be asked. It is the group's lag, whichever
 * instance reports it: several instances of one app report the same figure.
 */
public final class ConsumerLagMetrics implements DisposableBean {

    /** How long one reading of the offsets is reused. */
    public static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final KafkaOffsets offsets;
    private final String group;
    private final List<String> topics;
    private final CachedReading<Map<String, Long>> reading;

    public ConsumerLagMetrics(KafkaAdmin admin, String group, List<String> topics, Duration timeout,
            MeterRegistry registry) {
        this.offsets = new KafkaOffsets(admin, timeout);
        this.group = group;
        this.topics = List.copyOf(topics);
        this.reading = new CachedReading<>("lag of consumer group " + group, this::read, MAX_AGE);
        for (String topic : topics) {
            Gauge.builder("consumer.group.lag", this, m -> m.lag(topic))
                    .description("Records not yet consumed (committed) by the consumer group, per topic")
                    .tag("group", group)
                    .tag("topic", topic)
                    .baseUnit("records")
                    .register(registry);
        }
    }

    private double lag(String topic) {
        Map<String, Long> lags = reading.get();
        Long lag = lags == null ? null : lags.get(topic);
        return lag == null ? Double.NaN : lag;
    }

    /** Lag per topic. */
    Mono<Map<String, Long>> read() {
        return offsets.partitions(topics).flatMap(partitions -> Mono.zip(offsets.committed(group),
                offsets.end(partitions), offsets.earliest(partitions)).map(t -> {
                    Map<String, Long> lags = new HashMap<>();
                    topics.forEach(topic -> lags.put(topic, 0L));
                    for (TopicPartition partition : partitions) {
                        Long done = t.getT1().get(partition);
                        long from = done != null ? done : t.getT3().getOrDefault(partition, 0L);
                        long lag = Math.max(0, t.getT2().getOrDefault(partition, 0L) - from);
                        lags.merge(partition.topic(), lag, Long::sum);
                    }
                    return Map.copyOf(lags);
                }));
    }

    @Override
    public void destroy() {
        offsets.close();
    }
}
