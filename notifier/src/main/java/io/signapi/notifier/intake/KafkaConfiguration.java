package io.signapi.notifier.intake;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.LoggingProducerListener;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;

import io.signapi.common.event.EventJson;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.common.health.KafkaHealthIndicator;
import io.signapi.notifier.config.NotifierProperties;

/**
 * The notifier's Kafka wiring: {@code sign.results} read through an {@link ErrorHandlingDeserializer}, unreadable
 * records sent to {@code sign.results.dlt} (created here), any other failure retried without end (the offset stays
 * behind it), and the Kafka health check.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    @Bean
    NewTopic signResultsDeadLetterTopic(NotifierProperties notifier) {
        return TopicBuilder.name(Topics.dlt(Topics.SIGN_RESULTS))
                .partitions(notifier.topics().partitions())
                .replicas(notifier.topics().replicas())
                .build();
    }

    @Bean
    DefaultKafkaConsumerFactoryCustomizer resultDeserializers() {
        return factory -> {
            @SuppressWarnings("unchecked")
            DefaultKafkaConsumerFactory<String, SignCompleted> results =
                    (DefaultKafkaConsumerFactory<String, SignCompleted>) (DefaultKafkaConsumerFactory<?, ?>) factory;
            // Suppliers: every consumer the factory creates (after a rebalance or restart too) gets its own instances.
            results.setKeyDeserializerSupplier(StringDeserializer::new);
            results.setValueDeserializerSupplier(
                    () -> new ErrorHandlingDeserializer<>(EventJson.deserializer(SignCompleted.class)));
        };
    }

    /** Dead letters carry either an unreadable record's original bytes or a rebuilt event. */
    @Bean
    DefaultKafkaProducerFactoryCustomizer deadLetterSerializers() {
        return factory -> {
            @SuppressWarnings("unchecked")
            DefaultKafkaProducerFactory<String, Object> letters = (DefaultKafkaProducerFactory<String, Object>) factory;
            Map<Class<?>, Serializer<?>> byType = new LinkedHashMap<>();
            byType.put(byte[].class, new ByteArraySerializer());
            byType.put(SignCompleted.class, EventJson.serializer());
            letters.setKeySerializer(new StringSerializer());
            letters.setValueSerializer(new DelegatingByTypeSerializer(byType));
        };
    }

    /**
     * An unreadable record (a deserialization failure, never retried) goes to {@code sign.results.dlt} on its own
     * partition; a failure to record the rows (MySQL down) backs off and retries the same record, never skipping it.
     */
    @Bean
    DefaultErrorHandler resultErrorHandler(KafkaOperations<Object, Object> kafka) {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2);
        backOff.setMaxInterval(Duration.ofSeconds(10).toMillis());
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(kafka,
                (record, error) -> new TopicPartition(Topics.dlt(record.topic()), record.partition()));
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.setLogLevel(org.springframework.kafka.KafkaException.Level.WARN);
        return handler;
    }

    /** Logs failed sends without the record: its value holds the message text, which is never logged. */
    @Bean
    LoggingProducerListener<Object, Object> kafkaProducerListener() {
        LoggingProducerListener<Object, Object> listener = new LoggingProducerListener<>();
        listener.setIncludeContents(false);
        return listener;
    }

    @Bean("kafka")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, NotifierProperties notifier) {
        return new KafkaHealthIndicator(admin, notifier.healthTimeout());
    }
}
