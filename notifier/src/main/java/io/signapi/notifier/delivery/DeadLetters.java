package io.signapi.notifier.delivery;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import reactor.core.publisher.Mono;

/**
 * Publishes a given-up delivery's result, rebuilt from the tables, to {@code sign.results.dlt}, where an operator
 * can replay it; headers name the channel and the last error.
 */
@Component
class DeadLetters {

    static final String TOPIC = Topics.dlt(Topics.SIGN_RESULTS);
    static final String CHANNEL_HEADER = "notifier-channel";
    static final String ERROR_HEADER = "notifier-error";

    private final KafkaOperations<Object, Object> kafka;
    private final BoundedCalls kafkaSends;

    DeadLetters(KafkaOperations<Object, Object> kafka, BoundedCalls kafkaSends) {
        this.kafka = kafka;
        this.kafkaSends = kafkaSends;
    }

    Mono<Void> publish(Delivery delivery, String error) {
        SignCompleted event = delivery.toEvent();
        ProducerRecord<Object, Object> record = new ProducerRecord<>(TOPIC, event.requestId().toString(), event);
        record.headers().add(CHANNEL_HEADER, delivery.channel().name().getBytes(StandardCharsets.UTF_8));
        String truncated = Notifications.truncate(error);
        record.headers().add(ERROR_HEADER, truncated == null ? new byte[0] : truncated.getBytes(StandardCharsets.UTF_8));
        return kafkaSends.bounded(Mono.fromFuture(() -> kafka.send(record))).then();
    }
}
