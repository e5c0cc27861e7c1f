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
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.core.KafkaAdmin;

import reactor.core.publisher.Mono;

/**
 * Offsets read through one lazily created admin client, each call bounded by {@code timeout}: the partitions of
 * topics, their earliest and end offsets, and a consumer group's committed offsets. For the Kafka gauges.
 */
final class KafkaOffsets implements AutoCloseable {

    private final KafkaAdmin admin;
    private final Duration timeout;
    private volatile AdminClient client;

    KafkaOffsets(KafkaAdmin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    Mono<Set<TopicPartition>> partitions(List<String> topics) {
        return call(client().describeTopics(topics).allTopicNames())
                .map(described -> described.values().stream()
                        .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                        .collect(Collectors.toSet()));
    }

    Mono<Map<TopicPartition, Long>> earliest(Set<TopicPartition> partitions) {
        return offsets(partitions, OffsetSpec.earliest());
    }

    Mono<Map<TopicPartition, Long>> end(Set<TopicPartition> partitions) {
        return offsets(partitions, OffsetSpec.latest());
    }

    /** The group's committed offsets; a partition it never committed is absent. */
    Mono<Map<TopicPartition, Long>> committed(String group) {
        return call(client().listConsumerGroupOffsets(group,
                        new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs()))
                .partitionsToOffsetAndMetadata())
                .map(offsets -> {
                    Map<TopicPartition, Long> committed = new HashMap<>();
                    offsets.forEach((partition, offset) -> {
                        if (offset != null) {
                            committed.put(partition, ((OffsetAndMetadata) offset).offset());
                        }
                    });
                    return committed;
                });
    }

    private Mono<Map<TopicPartition, Long>> offsets(Set<TopicPartition> partitions, OffsetSpec spec) {
        if (partitions.isEmpty()) {
            return Mono.just(Map.of());
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(p -> p, p -> spec));
        return call(client().listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs())).all())
                .map(result -> result.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset())));
    }

    private <T> Mono<T> call(KafkaFuture<T> future) {
        CompletableFuture<T> completable = future.toCompletionStage().toCompletableFuture();
        // The admin client's own timeouts answer first; this one only bounds a client that does not.
        return Mono.fromFuture(completable).timeout(timeout.multipliedBy(2));
    }

    private int timeoutMs() {
        return (int) timeout.toMillis();
    }

    private AdminClient client() {
        AdminClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    Map<String, Object> config = new HashMap<>(admin.getConfigurationProperties());
                    config.put("default.api.timeout.ms", timeoutMs());
                    config.put("request.timeout.ms", timeoutMs());
                    client = AdminClient.create(config);
                }
                current = client;
            }
        }
        return current;
    }

    @Override
    public void close() {
        AdminClient current = client;
        if (current != null) {
            current.close(Duration.ZERO);
        }
    }
}
