package io.signapi.gateway.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.MessageHash;
import io.signapi.common.RedisKeys;
import io.signapi.gateway.support.GatewayIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Load shedding with room for one request in flight: a request held by a hanging upstream fills it, and the next
 * is answered 503 at once, before anything was published for it.
 */
@TestPropertySource(properties = "gateway.max-in-flight=1")
class LoadSheddingIntegrationTest extends GatewayIntegrationTest {

    @Autowired
    MeterRegistry meters;

    @Test
    void shedsARequestPastTheBoundAtOnceAndAcceptsItsRetryLater() throws Exception {
        upstream.configure(Map.of("outage", "hang"));
        double shedBefore = meters.counter("gateway.requests.shed").count();
        CompletableFuture<EntityExchangeResult<JsonNode>> held = holdTheOnlySlot();

        String message = freshMessage();
        String key = "retry-" + UUID.randomUUID();
        EntityExchangeResult<JsonNode> shed = signWithKey(message, key)
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().exists("X-Request-Id")
                .expectBody(JsonNode.class).returnResult();

        // Answered while the request holding the only slot still waits for the upstream: not queued behind it.
        assertThat(held).isNotDone();
        assertThat(shed.getResponseBody().get("type").asString()).isEqualTo("/problems/unavailable");
        assertThat(shed.getResponseBody().get("status").asInt()).isEqualTo(503);
        assertThat(meters.counter("gateway.requests.shed").count()).isEqualTo(shedBefore + 1);
        assertThat(held.get(10, TimeUnit.SECONDS).getStatus().value()).isEqualTo(202);

        // Nothing reached the upstream, Kafka or Redis for the shed request.
        assertThat(signCalls()).isEqualTo(1);
        assertThat(signRequests()).noneMatch(record -> record.key().equals(MessageHash.of(message)));
        assertThat(redis.hasKey(RedisKeys.idem(key)).block()).isFalse();

        // Its retry with the same key is accepted, and a second retry is the same request.
        String requestId = requestIdOf(signWithKey(message, key).expectStatus().isAccepted());
        assertThat(requestIdOf(signWithKey(message, key).expectStatus().isAccepted())).isEqualTo(requestId);
        assertThat(signRequestsFor(requestId)).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(MessageHash.of(message));
            assertThat(record.json().get("idempotencyKey").asString()).isEqualTo(key);
        });
    }

    @Test
    void neverShedsTheActuator() throws Exception {
        upstream.configure(Map.of("outage", "hang"));
        CompletableFuture<EntityExchangeResult<JsonNode>> held = holdTheOnlySlot();

        web.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

        assertThat(held).isNotDone();
        assertThat(held.get(10, TimeUnit.SECONDS).getStatus().value()).isEqualTo(202);
    }

    /** A request whose direct call hangs: it stays in flight until the deadline sends it to Kafka (about 1 s). */
    private CompletableFuture<EntityExchangeResult<JsonNode>> holdTheOnlySlot() {
        long callsBefore = signCalls();
        CompletableFuture<EntityExchangeResult<JsonNode>> held = CompletableFuture.supplyAsync(() ->
                sign(freshMessage()).expectBody(JsonNode.class).returnResult());
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> signCalls() == callsBefore + 1);
        return held;
    }

    private ResponseSpec sign(String message) {
        return web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message)).exchange();
    }

    private ResponseSpec signWithKey(String message, String key) {
        return web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .header("Idempotency-Key", key)
                .exchange();
    }

    private static String requestIdOf(ResponseSpec spec) {
        return spec.expectBody(JsonNode.class).returnResult().getResponseBody().get("requestId").asString();
    }
}
