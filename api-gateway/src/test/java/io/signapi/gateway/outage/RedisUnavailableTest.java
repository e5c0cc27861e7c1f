package io.signapi.gateway.outage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.MessageHash;
import io.signapi.common.event.Topics;
import io.signapi.testsupport.TopicRecords;
import io.signapi.testsupport.TopicRecords.Received;
import io.signapi.testsupport.FreePorts;
import io.signapi.testsupport.IntegrationTest;
import io.signapi.testsupport.Simulator;
import tools.jackson.databind.JsonNode;

/**
 * Redis down: no cache and no direct upstream call (the budget fails closed), but requests are still accepted
 * through Kafka within the 2-second promise.
 */
@IntegrationTest(database = "signapi_it_gateway", redisDatabase = 2)
// The real budget: a shrunken one needs a budget slot for its start-up probe, which Redis down cannot grant, so the
// gateway would refuse to start (docs/ARCHITECTURE.md, "Safety interlock"); with the real budget it starts without Redis.
@TestPropertySource(properties = "upstream.rate-limit.window=60s")
class RedisUnavailableTest {

    private final Simulator upstream = Simulator.shared();

    @Autowired
    WebTestClient web;

    @Value("${spring.kafka.bootstrap-servers}")
    String bootstrapServers;

    @DynamicPropertySource
    static void redisDown(DynamicPropertyRegistry registry) {
        int redis = FreePorts.next();
        registry.add("spring.data.redis.port", () -> redis);
        registry.add("upstream.base-url", () -> Simulator.shared().baseUrl());
    }

    @BeforeEach
    void freshUpstream() {
        upstream.fresh();
    }

    @Test
    void acceptsThroughKafkaWithoutCallingTheUpstream() {
        String message = "redis is down " + UUID.randomUUID();

        long started = System.nanoTime();
        JsonNode accepted = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .header("Idempotency-Key", "redis-down-" + UUID.randomUUID())
                .exchange()
                .expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(upstream.calls()).isEmpty();
        List<Received> records = TopicRecords.readAll(bootstrapServers, Topics.SIGN_REQUESTS);
        assertThat(records).filteredOn(e -> e.key().equals(MessageHash.of(message))).singleElement()
                .satisfies(e -> assertThat(e.json().get("requestId").asString())
                        .isEqualTo(accepted.get("requestId").asString()));
    }

    @Test
    void answersVerifyWith503RatherThanCallingWithoutABudget() {
        web.get().uri(b -> b.path("/crypto/verify").queryParam("message", "m").queryParam("signature", "s").build())
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After");
        assertThat(upstream.calls()).isEmpty();
    }
}
