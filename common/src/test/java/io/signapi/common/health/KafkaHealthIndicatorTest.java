package io.signapi.common.health;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import io.signapi.testsupport.FreePorts;

/**
 * The shared Kafka readiness check follows the broker: UP while it answers, DOWN within its bound once it is gone,
 * and UP again when a broker answers on the same address, with the same indicator (and admin client).
 */
class KafkaHealthIndicatorTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private EmbeddedKafkaBroker broker;

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.destroy();
        }
    }

    @Test
    void flipsDownWhenTheBrokerGoesAwayAndUpWhenItReturns() {
        int port = FreePorts.next();
        broker = start(port);
        KafkaHealthIndicator indicator = new KafkaHealthIndicator(new KafkaAdmin(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port)), TIMEOUT);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> status(indicator) == Status.UP);

            broker.destroy();
            broker = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> status(indicator) == Status.DOWN);

            broker = start(port);
            await().atMost(Duration.ofSeconds(20)).until(() -> status(indicator) == Status.UP);
        } finally {
            indicator.destroy();
        }
    }

    private static Status status(KafkaHealthIndicator indicator) {
        return indicator.health(false).block(TIMEOUT.multipliedBy(4)).getStatus();
    }

    private static EmbeddedKafkaBroker start(int port) {
        // A fixed client port, so the broker that returns answers on the address the indicator knows.
        EmbeddedKafkaBroker broker = new EmbeddedKafkaKraftBroker(1, 1)
                .brokerProperty("listeners", "EXTERNAL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:0");
        broker.afterPropertiesSet();
        return broker;
    }
}
