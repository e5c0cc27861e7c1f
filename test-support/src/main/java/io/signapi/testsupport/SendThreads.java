package io.signapi.testsupport;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer interceptor that notes which thread called {@code send()} for each record: Kafka runs
 * {@link #onSend} on the caller's thread, before {@code send()} may block on missing metadata. Tests switch it on
 * with {@code spring.kafka.producer.properties.interceptor.classes} and check that no send runs on an event loop.
 *
 * <pre>{@code
 * SendThreads.of(Topics.SIGN_RESULTS, requestId.toString())   // ["kafka-send-3"]
 * }</pre>
 */
public final class SendThreads implements ProducerInterceptor<Object, Object> {

    private record Send(String topic, Object key, String thread) {
    }

    private static final ConcurrentLinkedQueue<Send> SENDS = new ConcurrentLinkedQueue<>();

    /** The names of the threads that sent records with this key to this topic, oldest first. */
    public static List<String> of(String topic, Object key) {
        return SENDS.stream().filter(s -> s.topic().equals(topic) && Objects.equals(s.key(), key))
                .map(Send::thread).toList();
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        SENDS.add(new Send(record.topic(), record.key(), Thread.currentThread().getName()));
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
