package io.signapi.gateway.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import io.signapi.common.event.Topics;

/**
 * Fetches the producer's metadata for every topic at start-up, so the first request does not pay for it (and so
 * stays within the 2-second promise). A broker that is down only delays readiness.
 */
@Component
class ProducerWarmup implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ProducerWarmup.class);

    private final KafkaTemplate<String, Object> kafka;

    ProducerWarmup(KafkaTemplate<String, Object> kafka) {
        this.kafka = kafka;
    }

    @Override
    public void run(ApplicationArguments args) {
        for (String topic : new String[] {Topics.SIGN_REQUESTS, Topics.SIGN_SIGNATURES}) {
            try {
                log.info("Kafka producer ready for {} ({} partitions)", topic, kafka.partitionsFor(topic).size());
            } catch (RuntimeException e) {
                log.warn("Kafka producer could not be warmed up for {}: {}", topic, e.toString());
            }
        }
    }
}
