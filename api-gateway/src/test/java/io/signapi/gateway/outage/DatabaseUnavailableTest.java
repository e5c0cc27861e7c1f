package io.signapi.gateway.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.MessageHash;
import io.signapi.testsupport.Simulator;
import io.signapi.testsupport.TestStores;

/**
 * MySQL hanging: the attempt row of a direct call cannot be written, yet the answer is the same and as fast. The
 * database bound is set well above what the direct attempt may take, so a write on the answer's path would turn
 * the 200 into a 202.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.flyway.enabled=false",
        "gateway.database-timeout=1500ms",
        // Also the bound of the start-up probe's attempt row, which waits for the hanging MySQL at every start.
        "upstream.timeout=2s"})
@AutoConfigureWebTestClient
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("test")
@TestStores(database = "signapi_it_gateway", redisDatabase = 2)
@ExtendWith(OutputCaptureExtension.class)
class DatabaseUnavailableTest {

    private static final SilentPort MYSQL = SilentPort.open();

    private final Simulator upstream = Simulator.shared();

    @Autowired
    WebTestClient web;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @DynamicPropertySource
    static void mysqlHangs(DynamicPropertyRegistry registry) {
        registry.add("spring.r2dbc.url", () -> "r2dbc:mysql://127.0.0.1:" + MYSQL.port() + "/signapi_it_gateway");
        registry.add("upstream.base-url", () -> Simulator.shared().baseUrl());
    }

    @AfterAll
    static void closeThePort() {
        MYSQL.close();
    }

    @BeforeEach
    void freshUpstreamAndBudget() {
        redis.execute(connection -> connection.serverCommands().flushDb()).blockLast(Duration.ofSeconds(5));
        upstream.fresh();
    }

    @Test
    void answersASignedDirectCallWithinThePromiseWhileTheRowCannotBeWritten(CapturedOutput output) {
        String message = "mysql hangs " + UUID.randomUUID();
        String hash = MessageHash.of(message);

        long started = System.nanoTime();
        String signature = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(signature).hasSize(344);
        // The lost row is logged by message hash only, once the database bound has passed.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> output.getOut().contains("sign_attempt row hash=" + hash));
        assertThat(output.getOut()).doesNotContain(message);
    }

    @Test
    void acceptsADegradedDirectCallWithinThePromiseWhileTheRowCannotBeWritten() {
        // No Idempotency-Key: its lookup reads MySQL, which this test is not about.
        upstream.configure(Map.of("outage", "error"));
        String message = "mysql hangs, upstream degraded " + UUID.randomUUID();

        long started = System.nanoTime();
        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .exchange()
                .expectStatus().isAccepted();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(upstream.calls()).filteredOn(call -> call.path().equals("/crypto/sign")).hasSize(1);
    }
}
