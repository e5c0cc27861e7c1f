package io.signapi.gateway.kafka;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import io.signapi.common.event.SignRequested;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.event.Topics;
import io.signapi.gateway.config.GatewayProperties;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes the gateway's events: a request only counts as accepted once the broker acknowledged it (acks=all)
 * within {@code gateway.accept-timeout}; signatures are published off the response path.
 */
@Component
public class EventPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final KafkaTemplate<String, Object> kafka;
    private final Duration acceptTimeout;
    // send() can block for up to max.block.ms while metadata is missing: never on an event loop, and never
    // interrupted when the caller gives up (the executor does not interrupt).
    private final ExecutorService executor =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gateway-kafka-", 0).factory());
    private final Scheduler sender = Schedulers.fromExecutor(executor::execute);

    public EventPublisher(KafkaTemplate<String, Object> kafka, GatewayProperties gateway) {
        this.kafka = kafka;
        this.acceptTimeout = gateway.acceptTimeout();
    }

    /** Completes once the broker acknowledged the request; errors when it did not within the accept timeout. */
    public Mono<Void> publishRequest(SignRequested event) {
        return Mono.fromFuture(() -> kafka.send(Topics.SIGN_REQUESTS, event.messageHash(), event))
                .subscribeOn(sender)
                .timeout(acceptTimeout)
                .doOnError(e -> log.warn("request {} hash={} not acknowledged by Kafka: {}", event.requestId(),
                        event.messageHash(), e.toString()))
                .then();
    }

    /** Publishes a signature without waiting; a lost one costs only a later upstream call by the worker. */
    public void publishSignature(SignatureObtained event) {
        Mono.fromFuture(() -> kafka.send(Topics.SIGN_SIGNATURES, event.messageHash(), event))
                .subscribeOn(sender)
                .subscribe(
                        result -> log.debug("signature published hash={}", event.messageHash()),
                        e -> log.warn("signature hash={} not published: {}", event.messageHash(), e.toString()));
    }

    @Override
    public void destroy() {
        sender.dispose();
        executor.shutdown();
    }
}
