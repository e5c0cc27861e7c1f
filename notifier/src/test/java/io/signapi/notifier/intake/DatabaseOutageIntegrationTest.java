package io.signapi.notifier.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.support.NotifierIntegrationTest;
import io.signapi.testsupport.TcpProxy;

/**
 * MySQL unreachable while a result arrives: its offset is not committed, and it is recorded once MySQL is back;
 * readiness is DOWN meanwhile.
 */
class DatabaseOutageIntegrationTest extends NotifierIntegrationTest {

    private static final TcpProxy mysql = TcpProxy.to(3306);

    @DynamicPropertySource
    static void mysqlThroughTheProxy(DynamicPropertyRegistry registry) {
        registry.add("spring.r2dbc.url", () -> "r2dbc:mysql://127.0.0.1:" + mysql.port() + "/signapi_it_notifier");
    }

    @Autowired
    private WebTestClient web;

    @AfterEach
    void reconnect() {
        mysql.resume();
    }

    @Test
    void keepsAResultThatArrivesWhileMysqlIsDownAndDeliversItOnceMysqlIsBack() {
        SignCompleted event = signed("oscar@example.com", null);
        mysql.cut();

        publish(event);

        // Well past the listener's first tries: nothing can be recorded, so nothing is sent.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> mails().isEmpty());
        mysql.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> mails().size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(status(event.requestId(),
                Channel.EMAIL)));
        assertThat(attempts(event.requestId(), Channel.EMAIL)).isEqualTo(1);
    }

    @Test
    void readinessGoesDownWhileMysqlIsUnreachableAndUpWhenItIsBack() {
        await().atMost(Duration.ofSeconds(10)).until(() -> readiness() == 200);

        mysql.cut();
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness() == 503);
        web.get().uri("/actuator/health/readiness").exchange()
                .expectBody().jsonPath("$.components.r2dbc.status").isEqualTo("DOWN")
                .jsonPath("$.components.kafka.status").isEqualTo("UP");
        web.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

        mysql.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> readiness() == 200);
    }

    private int readiness() {
        return web.get().uri("/actuator/health/readiness").exchange().returnResult(String.class).getStatus().value();
    }
}
