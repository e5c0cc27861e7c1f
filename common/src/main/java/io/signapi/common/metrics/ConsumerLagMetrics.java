package io.signapi.common.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * Consumer lag of one group as a gauge per topic, {@code consumer.group.lag{group, topic}}: the records on the
 * topic's partitions that the group has not committed yet (end offset − committed offset; a partition the group never
 * committed counts from its earliest offset). Read through the Kafka admin API, at most once per {@code maxAge}, in
 * the background (see {@link CachedReading}); NaN while the broker cannot be asked. It is the group's lag, whichever
 * instance reports it: several instances of one app report the same figure.
 */
public final class ConsumerLagMetrics implements DisposableBean {

    /** How long one reading of the offsets is reused. */
    public static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final KafkaAdmin admin;
    private final String group;
    private final List<String> topics;
    private final Duration timeout;
    private final CachedReading<Map<String, Long>> reading;
    private volatile AdminClient client;

    public ConsumerLagMetrics(KafkaAdmin admin, String group, List<String> topics, Duration timeout,
            MeterRegistry registry) {
        this.admin = admin;
        this.group = group;
        this.topics = List.copyOf(topics);
        this.timeout = timeout;
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

    /** Lag per topic: committed offsets of the group, then the end (and earliest) offsets of every partition. */
    Mono<Map<String, Long>> read() {
        AdminClient admin = client();
        int timeoutMs = (int) timeout.toMillis();
        return Mono.fromFuture(() -> future(admin.describeTopics(topics).allTopicNames()))
                .flatMap(described -> {
                    Set<TopicPartition> partitions = described.values().stream()
                            .flatMap(d -> partitions(d).stream()).collect(Collectors.toSet());
                    Mono<Map<TopicPartition, OffsetAndMetadata>> committed = Mono.fromFuture(() -> future(admin
                            .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs))
                            .partitionsToOffsetAndMetadata()));
                    Mono<Map<TopicPartition, ListOffsetsResultInfo>> ends = offsets(admin, partitions,
                            OffsetSpec.latest(), timeoutMs);
                    Mono<Map<TopicPartition, ListOffsetsResultInfo>> starts = offsets(admin, partitions,
                            OffsetSpec.earliest(), timeoutMs);
                    return Mono.zip(committed, ends, starts).map(t -> {
                        Map<String, Long> lags = new HashMap<>();
                        topics.forEach(topic -> lags.put(topic, 0L));
                        for (TopicPartition partition : partitions) {
                            OffsetAndMetadata done = t.getT1().get(partition);
                            long from = done != null ? done.offset() : t.getT3().get(partition).offset();
                            long lag = Math.max(0, t.getT2().get(partition).offset() - from);
                            lags.merge(partition.topic(), lag, Long::sum);
                        }
                        return Map.copyOf(lags);
                    });
                })
                .timeout(timeout.multipliedBy(2));
    }

    private static Mono<Map<TopicPartition, ListOffsetsResultInfo>> offsets(AdminClient admin,
            Set<TopicPartition> partitions, OffsetSpec spec, int timeoutMs) {
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> spec));
        return Mono.fromFuture(() -> future(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs))
                .all()));
    }

    private static List<TopicPartition> partitions(TopicDescription topic) {
        return topic.partitions().stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
    }

    private static <T> CompletableFuture<T> future(KafkaFuture<T> future) {
        return future.toCompletionStage().toCompletableFuture();
    }

    private AdminClient client() {
        AdminClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    Map<String, Object> config = new HashMap<>(admin.getConfigurationProperties());
                    config.put("default.api.timeout.ms", (int) timeout.toMillis());
                    config.put("request.timeout.ms", (int) timeout.toMillis());
                    client = AdminClient.create(config);
                }
                current = client;
            }
        }
        return current;
    }

    @Override
    public void destroy() {
        AdminClient current = client;
        if (current != null) {
            current.close(Duration.ZERO);
        }
    }
}
