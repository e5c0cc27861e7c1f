package io.signapi.common.health;

import static org.assertj.core.api.Assertions.assertThat;
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
 * with the same indicator and admin client. (The embedded KRaft broker binds a port of its own choosing on every
 * start, so a broker coming back on the same address is not reproduced here.)
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
    void isUpWhileTheBrokerAnswersAndFlipsDownWhenItGoesAway() {
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.afterPropertiesSet();
        KafkaHealthIndicator indicator = new KafkaHealthIndicator(new KafkaAdmin(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString())), TIMEOUT);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> status(indicator) == Status.UP);

            broker.destroy();
            broker = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> status(indicator) == Status.DOWN);
        } finally {
            indicator.destroy();
        }
    }

    @Test
    void isDownWithinItsBoundWhenNoBrokerAnswers() {
        KafkaHealthIndicator indicator = new KafkaHealthIndicator(new KafkaAdmin(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + FreePorts.next())), TIMEOUT);
        try {
            long started = System.nanoTime();
            assertThat(status(indicator)).isEqualTo(Status.DOWN);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(TIMEOUT.multipliedBy(3));
        } finally {
            indicator.destroy();
        }
    }

    private static Status status(KafkaHealthIndicator indicator) {
        return indicator.health(false).block(TIMEOUT.multipliedBy(4)).getStatus();
    }
}
