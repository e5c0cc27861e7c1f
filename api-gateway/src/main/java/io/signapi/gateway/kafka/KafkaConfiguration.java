package io.signapi.gateway.kafka;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.support.LoggingProducerListener;

import io.signapi.common.event.EventJson;
import io.signapi.common.event.Topics;
import io.signapi.common.health.KafkaHealthIndicator;
import io.signapi.gateway.config.GatewayProperties;

/** The topics the gateway produces to (created at start-up), its producer's serializers and the Kafka health check. */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    @Bean
    NewTopic signRequestsTopic(GatewayProperties gateway) {
        return TopicBuilder.name(Topics.SIGN_REQUESTS)
                .partitions(gateway.topics().partitions())
                .replicas(gateway.topics().replicas())
                .build();
    }

    @Bean
    NewTopic signSignaturesTopic(GatewayProperties gateway) {
        return TopicBuilder.name(Topics.SIGN_SIGNATURES)
                .partitions(gateway.topics().partitions())
                .replicas(gateway.topics().replicas())
                .config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                .build();
    }

    /**
     * Kafka reachability within {@code gateway.health-timeout}; the readiness group consists of this alone, since
     * without Kafka no request can be accepted while Redis and MySQL are optional.
     */
    @Bean("kafka")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, GatewayProperties gateway) {
        return new KafkaHealthIndicator(admin, gateway.healthTimeout());
    }

    /** Logs failed sends without the record: its value holds the message text, which is never logged. */
    @Bean
    LoggingProducerListener<Object, Object> kafkaProducerListener() {
        LoggingProducerListener<Object, Object> listener = new LoggingProducerListener<>();
        listener.setIncludeContents(false);
        return listener;
    }

    /** Plain string keys (the message hash) and the shared event JSON, with no Java type headers. */
    @Bean
    DefaultKafkaProducerFactoryCustomizer eventSerializers() {
        return factory -> {
            @SuppressWarnings("unchecked")
            DefaultKafkaProducerFactory<String, Object> events = (DefaultKafkaProducerFactory<String, Object>) factory;
            events.setKeySerializer(new StringSerializer());
            events.setValueSerializer(EventJson.serializer());
        };
    }
}
