package io.signapi.worker;

import io.signapi.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

@IntegrationTest(database = "signapi_it_worker", redisDatabase = 3)
class SignWorkerApplicationTest {

    @Autowired
    WebTestClient web;

    @Test
    void startsAndReportsLiveness() {
        web.get().uri("/actuator/health/liveness")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }
}
