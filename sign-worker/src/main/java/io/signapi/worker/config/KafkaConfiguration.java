package io.signapi.worker.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.LoggingProducerListener;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.event.EventJson;
import io.signapi.common.event.SignRequested;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.event.Topics;
import io.signapi.common.health.DatabaseHealthIndicator;
import io.signapi.common.health.KafkaHealthIndicator;
import io.r2dbc.spi.ConnectionFactory;

/**
 * The worker's Kafka wiring: the topics it produces to (created at start-up), one listener container factory per
 * intake topic (each with its own event deserializer), dead letters for unreadable records and a blocking retry
 * for everything else.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    @Bean
    NewTopic signResultsTopic(WorkerProperties worker) {
        return topic(Topics.SIGN_RESULTS, worker.topics().resultsPartitions(), worker);
    }

    @Bean
    NewTopic signSignaturesTopic(WorkerProperties worker) {
        return TopicBuilder.name(Topics.SIGN_SIGNATURES)
                .partitions(worker.topics().partitions())
                .replicas(worker.topics().replicas())
                .config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                .build();
    }

    @Bean
    NewTopic signRequestsDeadLetterTopic(WorkerProperties worker) {
        return topic(Topics.dlt(Topics.SIGN_REQUESTS), worker.topics().partitions(), worker);
    }

    @Bean
    NewTopic signSignaturesDeadLetterTopic(WorkerProperties worker) {
        return topic(Topics.dlt(Topics.SIGN_SIGNATURES), worker.topics().partitions(), worker);
    }

    @Bean
    NewTopic signResultsDeadLetterTopic(WorkerProperties worker) {
        return topic(Topics.dlt(Topics.SIGN_RESULTS), worker.topics().resultsPartitions(), worker);
    }

    private static NewTopic topic(String name, int partitions, WorkerProperties worker) {
        return TopicBuilder.name(name).partitions(partitions).replicas(worker.topics().replicas()).build();
    }

    /**
     * Sends off the caller's thread: {@code send()} blocks for up to {@code max.block.ms} while the broker is
     * unreachable, and the outbox and the signature announcement run on MySQL's event loop. Each send is bounded by
     * {@code worker.database-timeout}, the outbox's bound on every step.
     */
    @Bean(destroyMethod = "close")
    BoundedCalls kafkaSends(WorkerProperties worker) {
        return new BoundedCalls(worker.databaseTimeout(), "kafka-send-");
    }

    /** Kafka reachability for the readiness group, as the contributor {@code kafka}. */
    @Bean("kafka")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, WorkerProperties worker) {
        return new KafkaHealthIndicator(admin, worker.healthTimeout());
    }

    /** MySQL reachability for the readiness group, bounded, as the contributor {@code r2dbc}. */
    @Bean("r2dbcHealthIndicator")
    DatabaseHealthIndicator databaseHealthIndicator(ConnectionFactory connections, WorkerProperties worker) {
        return new DatabaseHealthIndicator(connections, worker.healthTimeout());
    }

    /** Event values as the shared JSON without type headers, keys as plain strings. */
    @Bean
    DefaultKafkaProducerFactoryCustomizer eventJsonValues() {
        return factory -> {
            @SuppressWarnings({"unchecked", "rawtypes"})
            DefaultKafkaProducerFactory<String, Object> producer = (DefaultKafkaProducerFactory) factory;
            producer.setValueSerializer(EventJson.serializer());
            producer.setKeySerializer(new StringSerializer());
        };
    }

    /** Failed sends are logged without their record: its value holds the message text. */
    @Bean
    ProducerListener<Object, Object> kafkaProducerListener() {
        LoggingProducerListener<Object, Object> quiet = new LoggingProducerListener<>();
        quiet.setIncludeContents(false);
        return quiet;
    }

    /**
     * Unreadable records go to {@code <topic>.dlt} at the same partition, as their original bytes; a record that
     * fails for another reason (MySQL unreachable) is retried with a growing pause and never skipped, so its
     * partition waits and nothing is lost; only data errors a retry cannot cure are dead-lettered.
     */
    @Bean
    DefaultErrorHandler intakeErrorHandler(KafkaTemplate<String, Object> events, KafkaProperties kafka) {
        KafkaTemplate<String, byte[]> raw = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                kafka.buildProducerProperties(), new StringSerializer(), new ByteArraySerializer()));
        Map<Class<?>, KafkaOperations<?, ?>> templates = new LinkedHashMap<>();
        templates.put(byte[].class, raw);
        templates.put(Object.class, events);
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(templates,
                (record, error) -> new TopicPartition(Topics.dlt(record.topic()), record.partition()));
        ExponentialBackOff retry = new ExponentialBackOff(Duration.ofMillis(200).toMillis(), 2);
        retry.setMaxInterval(Duration.ofSeconds(5).toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, retry);
        handler.addNotRetryableExceptions(DataIntegrityViolationException.class, IllegalArgumentException.class,
                NullPointerException.class, ClassCastException.class);
        handler.setCommitRecovered(true);
        return handler;
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<Object, Object> signRequestsListenerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer, KafkaProperties kafka,
            DefaultErrorHandler intakeErrorHandler) {
        return listenerFactory(configurer, kafka, intakeErrorHandler, SignRequested.class);
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<Object, Object> signaturesListenerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer, KafkaProperties kafka,
            DefaultErrorHandler intakeErrorHandler) {
        return listenerFactory(configurer, kafka, intakeErrorHandler, SignatureObtained.class);
    }

    private static ConcurrentKafkaListenerContainerFactory<Object, Object> listenerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer, KafkaProperties kafka,
            DefaultErrorHandler errorHandler, Class<?> eventType) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        ConsumerFactory<Object, Object> consumers = (ConsumerFactory) new DefaultKafkaConsumerFactory<>(
                kafka.buildConsumerProperties(), new StringDeserializer(),
                new ErrorHandlingDeserializer<>(EventJson.deserializer(eventType)));
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumers);
        factory.setCommonErrorHandler(errorHandler);
        return factory;
    }
}
