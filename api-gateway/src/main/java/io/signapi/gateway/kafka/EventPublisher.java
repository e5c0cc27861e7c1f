package io.signapi.gateway.kafka;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.event.EventJson;
import io.signapi.common.event.SignRequested;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.event.Topics;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.warmup.WarmUpMode;
import reactor.core.publisher.Mono;

/**
 * Publishes the gateway's events: a request only counts as accepted once the broker acknowledged it (acks=all)
 * within {@code gateway.accept-timeout}; signatures are published off the response path.
 */
@Component
public class EventPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    // Kafka's own defaults, for a producer configured without them.
    private static final long DEFAULT_MAX_BLOCK_MS = 60_000;
    private static final long DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;

    private final KafkaTemplate<String, Object> kafka;
    // send() can block for up to max.block.ms while metadata is missing: never on an event loop, and never
    // interrupted when the caller gives up.
    private final BoundedCalls sends;
    // A signature's send is not waited for; the producer itself settles it within max.block.ms + delivery.timeout.ms.
    private final Duration signatureBound;

    public EventPublisher(KafkaTemplate<String, Object> kafka, GatewayProperties gateway) {
        this.kafka = kafka;
        this.sends = new BoundedCalls(gateway.acceptTimeout(), "gateway-kafka-");
        Map<String, Object> producer = kafka.getProducerFactory().getConfigurationProperties();
        this.signatureBound = Duration.ofMillis(
                millis(producer, ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_MAX_BLOCK_MS)
                        + millis(producer, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DEFAULT_DELIVERY_TIMEOUT_MS));
    }

    /**
     * Completes once the broker acknowledged the request; errors when it did not within the accept timeout. A
     * warm-up request's event is serialized and dropped: nothing reaches Kafka.
     */
    public Mono<Void> publishRequest(SignRequested event) {
        return WarmUpMode.unlessWarmingUp(() -> send(event),
                () -> Mono.fromRunnable(() -> EventJson.mapper().writeValueAsBytes(event)));
    }

    private Mono<Void> send(SignRequested event) {
        return sends.bounded(Mono.fromFuture(() -> kafka.send(Topics.SIGN_REQUESTS, event.messageHash(), event)))
                .doOnError(e -> log.warn("request {} hash={} not acknowledged by Kafka: {}", event.requestId(),
                        event.messageHash(), e.toString()))
                .then();
    }

    /** Publishes a signature without waiting; a lost one costs only a later upstream call by the worker. */
    public void publishSignature(SignatureObtained event) {
        sends.bounded(Mono.fromFuture(() -> kafka.send(Topics.SIGN_SIGNATURES, event.messageHash(), event)),
                        signatureBound)
                .subscribe(
                        result -> log.debug("signature published hash={}", event.messageHash()),
                        e -> log.warn("signature hash={} not published: {}", event.messageHash(), e.toString()));
    }

    private static long millis(Map<String, Object> config, String name, long fallback) {
        Object value = config.get(name);
        return value == null ? fallback : Long.parseLong(value.toString().trim());
    }

    @Override
    public void destroy() {
        sends.close();
    }
}
