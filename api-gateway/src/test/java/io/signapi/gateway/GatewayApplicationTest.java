package io.signapi.gateway;

import org.junit.jupiter.api.Test;

import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.support.GatewayIntegrationTest;

/** The whole gateway starts, is alive, and is ready once Kafka answers. */
class GatewayApplicationTest extends GatewayIntegrationTest {

    @Test
    void startsAndReportsLiveness() {
        web.get().uri("/actuator/health/liveness")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void isReadyWhenKafkaIsReachable() {
        web.get().uri("/actuator/health/readiness")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().exists(RequestIdFilter.HEADER)
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.kafka.status").isEqualTo("UP");
    }
}
