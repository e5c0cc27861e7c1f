package io.signapi.notifier;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import io.signapi.testsupport.IntegrationTest;
import io.signapi.testsupport.MailServer;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@IntegrationTest(database = "signapi_it_notifier", redisDatabase = 4)
class NotifierApplicationTest {

    @RegisterExtension
    static final MailServer mail = MailServer.perClass();

    @DynamicPropertySource
    static void mailPort(DynamicPropertyRegistry registry) {
        mail.register(registry);
    }

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
