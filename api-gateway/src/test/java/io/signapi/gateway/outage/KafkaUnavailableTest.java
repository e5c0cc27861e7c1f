package io.signapi.gateway.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.MessageHash;
import io.signapi.common.RedisKeys;
import io.signapi.testsupport.FreePorts;
import io.signapi.testsupport.TestStores;

/**
 * Kafka down: nothing can be made durable, so a request the gateway cannot sign now is answered 503 with
 * Retry-After within the 2-second promise, never 202; and the gateway reports itself not ready.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        // The producer's own bounds, shrunk so its threads do not outlive the test by long.
        "spring.kafka.producer.properties[max.block.ms]=400",
        "spring.kafka.producer.properties[request.timeout.ms]=400",
        "spring.kafka.producer.properties[delivery.timeout.ms]=900",
        "spring.kafka.admin.auto-create=false",
        // The real budget: nothing answers at the upstream's address either, which a shrunken budget's start-up probe
        // would refuse (docs/ARCHITECTURE.md, "Safety interlock").
        "upstream.rate-limit.window=60s",
        "logging.level.org.apache.kafka.clients.NetworkClient=ERROR"})
@AutoConfigureWebTestClient
@ActiveProfiles("test")
@TestStores(database = "signapi_it_gateway", redisDatabase = 2)
@ExtendWith(OutputCaptureExtension.class)
class KafkaUnavailableTest {

    @Autowired
    WebTestClient web;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @DynamicPropertySource
    static void nothingListening(DynamicPropertyRegistry registry) {
        int kafka = FreePorts.next();
        int upstream = FreePorts.next();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + kafka);
        registry.add("upstream.base-url", () -> "http://127.0.0.1:" + upstream);
    }

    @BeforeEach
    void emptyRedis() {
        redis.execute(connection -> connection.serverCommands().flushDb()).blockLast(Duration.ofSeconds(5));
    }

    @Test
    void answers503WithRetryAfterWithinTheDeadline(CapturedOutput output) {
        String message = "kafka is down " + UUID.randomUUID();
        long started = System.nanoTime();
        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .header("Idempotency-Key", "kafka-down-" + UUID.randomUUID())
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().exists("Retry-After")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/unavailable")
                .jsonPath("$.status").isEqualTo(503);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        // The failure is logged by request id and message hash, never with the message itself.
        await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("not acknowledged by Kafka")
                && output.getOut().contains("Exception thrown when sending"));
        assertThat(output.getOut()).contains(MessageHash.of(message)).doesNotContain(message);
    }

    @Test
    void stillAnswersFromTheCache() {
        redis.opsForValue().set(RedisKeys.sig(MessageHash.of("cached")), "sig")
                .block();

        web.get().uri("/crypto/sign?message=cached").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("sig");
    }

    @Test
    void isNotReadyButAlive() {
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.status").isEqualTo("DOWN")
                .jsonPath("$.components.kafka.status").isEqualTo("DOWN");
        web.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }
}
