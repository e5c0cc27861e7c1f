package io.signapi.notifier.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.support.NotifierIntegrationTest;

/** How events become notification rows: one per channel asked for, unreadable records dead-lettered, readiness. */
class ResultIntakeIntegrationTest extends NotifierIntegrationTest {

    @Autowired
    WebTestClient web;

    @Autowired
    MeterRegistry meters;

    @Test
    void recordsOneRowPerChannelTheEventAsksFor() {
        SignCompleted mailOnly = signed("judy@example.com", null);
        SignCompleted nothing = signed(null, null);

        publish(nothing);
        publish(mailOnly);

        await().atMost(Duration.ofSeconds(15)).until(() -> "DELIVERED".equals(status(mailOnly.requestId(),
                Channel.EMAIL)));
        assertThat(notification(mailOnly.requestId(), Channel.WEBHOOK)).isNull();
        assertThat(notification(nothing.requestId(), Channel.EMAIL)).isNull();
        assertThat(notification(nothing.requestId(), Channel.WEBHOOK)).isNull();
        // The outcome's metrics are counted once its row has been written.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.get("notifier.deliveries").tag("channel", "email").tag("outcome", "delivered")
                    .counter().count()).isPositive();
            assertThat(meters.get("notifier.delivery.latency").tag("channel", "email").timer().count())
                    .isPositive();
        });
    }

    @Test
    void sendsAnUnreadableRecordToTheDeadLetterTopicAndGoesOn() throws Exception {
        String key = "unreadable-" + System.nanoTime();
        kafka.send(Topics.SIGN_RESULTS, 0, key, "{not json".getBytes(StandardCharsets.UTF_8)).get();
        SignCompleted after = signed("ken@example.com", null);
        kafka.send(Topics.SIGN_RESULTS, 0, after.requestId().toString(), after).get();

        await().atMost(Duration.ofSeconds(15)).until(() -> "DELIVERED".equals(status(after.requestId(),
                Channel.EMAIL)));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(deadLetters()).anySatisfy(letter -> {
                    assertThat(letter.key()).isEqualTo(key);
                    assertThat(letter.value()).isEqualTo("{not json");
                    assertThat(letter.partition()).isZero();
                    assertThat(letter.headers()).containsKey("kafka_dlt-exception-fqcn");
                }));
    }

    @Test
    void isReadyWithKafkaAndMysqlAndLeavesMailOutOfReadiness() {
        web.get().uri("/actuator/health/readiness")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.kafka.status").isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status").isEqualTo("UP")
                .jsonPath("$.components.mail").doesNotExist();
    }
}
