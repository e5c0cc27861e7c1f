package io.signapi.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.MessageHash;
import io.signapi.common.RedisKeys;
import io.signapi.common.backlog.BacklogStats;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.event.Topics;
import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.support.GatewayIntegrationTest;
import io.signapi.testsupport.TopicRecords;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

/** The sign flow against real Kafka, Redis, MariaDB and the simulator: every path a request can take. */
class SignFlowIntegrationTest extends GatewayIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    UpstreamBudget budget;

    @Autowired
    MeterRegistry meters;

    @Test
    void answersFromTheCacheWithoutCallingTheUpstream() {
        String message = freshMessage();
        redis.opsForValue().set(RedisKeys.sig(MessageHash.of(message)), "cached-signature").block();

        String body = sign(message).expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectHeader().exists(RequestIdFilter.HEADER)
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(body).isEqualTo("cached-signature");
        assertThat(upstream.calls()).isEmpty();
        // The metrics filter records once the response has been written.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.counter("gateway.requests", "outcome", "cached").count() > 0);
    }

    @Test
    void renewsTheCachedSignaturesExpiryOnAHit() {
        String message = freshMessage();
        String key = RedisKeys.sig(MessageHash.of(message));
        redis.opsForValue().set(key, "cached-signature", Duration.ofMinutes(1)).block();

        sign(message).expectStatus().isOk().expectBody(String.class).isEqualTo("cached-signature");

        // Renewed after the answer, without holding it up.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(redis.getExpire(key).block())
                .isGreaterThan(Duration.ofDays(29)).isLessThanOrEqualTo(Duration.ofDays(30)));
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void renewsAHotSignaturesExpiryOnlyOncePerThirtiethOfIt() {
        String message = freshMessage();
        String key = RedisKeys.sig(MessageHash.of(message));
        redis.opsForValue().set(key, "cached-signature", Duration.ofMinutes(1)).block();
        sign(message).expectStatus().isOk();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> redis.getExpire(key).block().compareTo(Duration.ofDays(1)) > 0);
        redis.expire(key, Duration.ofMinutes(1)).block();

        sign(message).expectStatus().isOk().expectBody(String.class).isEqualTo("cached-signature");

        // Renewed a moment ago: this hit costs no second EXPIRE.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> redis.getExpire(key).block().compareTo(Duration.ofMinutes(1)) <= 0);
    }

    @Test
    void servesARepeatHitFromTheProcessWithoutAskingRedisAgain() {
        String message = freshMessage();
        String key = RedisKeys.sig(MessageHash.of(message));
        redis.opsForValue().set(key, "cached-signature").block();
        sign(message).expectStatus().isOk().expectBody(String.class).isEqualTo("cached-signature");
        redis.delete(key).block();

        // Redis no longer holds it: only the in-process cache can answer, and it never calls the upstream.
        sign(message).expectStatus().isOk().expectBody(String.class).isEqualTo("cached-signature");
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void servesASignatureItObtainedDirectlyFromTheProcessAfterwards() {
        String message = freshMessage();
        String signature = sign(message).expectStatus().isOk().expectBody(String.class).returnResult()
                .getResponseBody();
        redis.delete(RedisKeys.sig(MessageHash.of(message))).block();

        sign(message).expectStatus().isOk().expectBody(String.class).isEqualTo(signature);
        assertThat(signCalls()).isEqualTo(1);
    }

    @Test
    void signsDirectlyCachesAndPublishesTheSignature() {
        String message = freshMessage();
        String hash = MessageHash.of(message);

        String signature = sign(message).expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(signature).hasSize(344).endsWith("=");
        assertThat(signCalls()).isEqualTo(1);
        assertThat(redis.opsForValue().get(RedisKeys.sig(hash)).block()).isEqualTo(signature);
        // cache.signature-ttl, 30 days by default: evictable under volatile-lru, the database row stays.
        assertThat(redis.getExpire(RedisKeys.sig(hash)).block())
                .isGreaterThan(Duration.ofDays(29)).isLessThanOrEqualTo(Duration.ofDays(30));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                TopicRecords.readAll(bootstrapServers, Topics.SIGN_SIGNATURES).stream()
                        .filter(e -> e.key().equals(hash)).toList())
                .singleElement().satisfies(e -> {
                    assertThat(e.json().get("type").asString()).isEqualTo("SignatureObtained");
                    assertThat(e.json().get("messageHash").asString()).isEqualTo(hash);
                    assertThat(e.json().get("message").asString()).isEqualTo(message);
                    assertThat(e.json().get("signature").asString()).isEqualTo(signature);
                }));
        assertThat(signRequests()).noneMatch(e -> e.key().equals(hash));
        assertThat(meters.counter("gateway.direct.calls", "result", "signed").count()).isPositive();
    }

    @Test
    void answersJsonWithMessageAndSignatureWhenAsked() {
        String message = "a & b = c+d ü 🙂 " + UUID.randomUUID();
        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.message").isEqualTo(message)
                .jsonPath("$.signature").value(s -> assertThat((String) s).hasSize(344));
        assertThat(upstream.calls()).singleElement().satisfies(call -> assertThat(call.message()).isEqualTo(message));
    }

    @Test
    void acceptsForLaterAndBacksOffWhenTheUpstreamIsDegraded() {
        upstream.configure(Map.of("outage", "error"));
        String message = freshMessage();
        String hash = MessageHash.of(message);

        EntityExchangeResult<JsonNode> accepted = sign(message, "alice@example.com").expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult();

        String requestId = accepted.getResponseBody().get("requestId").asString();
        assertThat(accepted.getResponseHeaders().getFirst(RequestIdFilter.HEADER)).isEqualTo(requestId);
        assertThat(accepted.getResponseHeaders().getFirst("Location")).isEqualTo("/crypto/sign/requests/" + requestId);
        assertThat(accepted.getResponseBody().get("status").asString()).isEqualTo("PENDING");
        assertThat(accepted.getResponseBody().get("detail").asString()).contains("alice@example.com");
        // Degraded: not before the typical recovery, 2 windows of 3 s in this test's settings.
        assertThat(Instant.parse(accepted.getResponseBody().get("estimatedReadyAt").asString()))
                .isAfter(Instant.now().plusSeconds(5));
        assertThat(signCalls()).isEqualTo(1);
        assertThat(signRequestsFor(requestId)).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(hash);
            assertThat(e.json().get("type").asString()).isEqualTo("SignRequested");
            assertThat(e.json().get("version").asInt()).isEqualTo(1);
            assertThat(e.json().get("message").asString()).isEqualTo(message);
            assertThat(e.json().get("email").asString()).isEqualTo("alice@example.com");
            assertThat(e.json().has("webhook")).isFalse();
            assertThat(e.json().has("directFailedAt")).isTrue();
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Boolean.TRUE.equals(redis.hasKey(RedisKeys.backoff(hash)).block()));

        // While the message is backing off, a second request does not call the upstream again.
        sign(message).expectStatus().isAccepted();
        assertThat(signCalls()).isEqualTo(1);
    }

    @Test
    void answers202WithinTheDeadlineWhenTheUpstreamHangs() {
        upstream.configure(Map.of("outage", "hang"));
        String message = freshMessage();

        long started = System.nanoTime();
        EntityExchangeResult<JsonNode> result = sign(message).expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isLessThan(PROMISE);
        String requestId = result.getResponseBody().get("requestId").asString();
        assertThat(signRequestsFor(requestId)).singleElement()
                .satisfies(e -> assertThat(e.json().has("directFailedAt")).isFalse());
    }

    @Test
    void acceptsWithoutCallingOnceTheBudgetIsSpent() {
        for (int i = 0; i < 8; i++) {
            sign(freshMessage()).expectStatus().isOk();
        }
        assertThat(signCalls()).isEqualTo(8);

        sign(freshMessage()).expectStatus().isAccepted();
        assertThat(signCalls()).isEqualTo(8);
        awaitDirectSigningAgain();
    }

    @Test
    void leavesTheWorkerReserveFreeWhileTheWorkerWaits() {
        budget.markWorkerWaiting().block();

        List<HttpStatus> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(HttpStatus.valueOf(sign(freshMessage()).returnResult(String.class).getStatus().value()));
        }

        assertThat(signCalls()).isEqualTo(3);
        assertThat(statuses).containsExactly(HttpStatus.OK, HttpStatus.OK, HttpStatus.OK, HttpStatus.ACCEPTED,
                HttpStatus.ACCEPTED);
        awaitDirectSigningAgain();
    }

    @Test
    void sharesOneDirectAttemptBetweenIdenticalRequests() {
        String message = freshMessage();

        List<Timed> responses = concurrently(Flux.range(0, 20).map(i -> message), 20);

        assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(HttpStatus.OK));
        assertThat(responses.stream().map(Timed::body).distinct()).hasSize(1);
        assertThat(signCalls()).isEqualTo(1);
    }

    @Test
    void makesAtMostTheGatewayShareOfCallsUnderABurstOfFreshMessages() {
        budget.markWorkerWaiting().block();

        List<Timed> responses = concurrently(Flux.range(0, 200).map(i -> freshMessage()), 200);

        assertThat(responses).allSatisfy(r -> assertThat(r.took()).isLessThan(PROMISE));
        assertThat(signCalls()).isLessThanOrEqualTo(3);
        long ok = responses.stream().filter(r -> r.status() == HttpStatus.OK).count();
        long accepted = responses.stream().filter(r -> r.status() == HttpStatus.ACCEPTED).count();
        assertThat(ok).isEqualTo(signCalls());
        assertThat(ok + accepted).isEqualTo(200);
        awaitDirectSigningAgain();
    }

    @Test
    void refuses503WhenTheBacklogCannotBeServedWithinTheMaximumAge() {
        setBacklog(1_000_000);
        String message = freshMessage();
        upstream.configure(Map.of("outage", "error"));

        sign(message).expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().valueEquals("Retry-After", "3")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/unavailable");

        assertThat(signRequests()).noneMatch(e -> e.key().equals(MessageHash.of(message)));
        // The metrics filter records once the response has been written.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.counter("gateway.requests", "outcome", "unavailable").count() > 0);
    }

    @Test
    void mapsARepeatedIdempotencyKeyToTheSameRequest() {
        upstream.configure(Map.of("outage", "error"));
        String message = freshMessage();
        String key = "order-" + UUID.randomUUID();

        String first = requestIdOf(signWithKey(message, key).expectStatus().isAccepted());
        String second = requestIdOf(signWithKey(message, key).expectStatus().isAccepted()
                .expectHeader().valueEquals(RequestIdFilter.HEADER, first));

        assertThat(second).isEqualTo(first);
        assertThat(signRequestsFor(first)).singleElement()
                .satisfies(e -> assertThat(e.json().get("idempotencyKey").asString()).isEqualTo(key));
        assertThat(signCalls()).isEqualTo(1);
    }

    @Test
    void refusesAnIdempotencyKeyReusedForAnotherMessage() {
        upstream.configure(Map.of("outage", "error"));
        String key = "order-" + UUID.randomUUID();
        signWithKey(freshMessage(), key).expectStatus().isAccepted();

        signWithKey(freshMessage(), key).expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/invalid-request")
                .jsonPath("$.errors[0].field").isEqualTo("Idempotency-Key");
    }

    @Test
    void retriesAfterA503UnderTheSameRequestIdAndRecord() {
        upstream.configure(Map.of("outage", "error"));
        String message = freshMessage();
        String key = "retry-" + UUID.randomUUID();
        setBacklog(1_000_000);
        signWithKey(message, key).expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);

        redis.delete(RedisKeys.BACKLOG_STATS).block();
        String first = requestIdOf(signWithKey(message, key).expectStatus().isAccepted());
        String again = requestIdOf(signWithKey(message, key).expectStatus().isAccepted());

        assertThat(again).isEqualTo(first);
        assertThat(signRequests()).filteredOn(e -> e.key().equals(MessageHash.of(message))).singleElement()
                .satisfies(e -> assertThat(e.json().get("requestId").asString()).isEqualTo(first));
    }

    @Test
    void keepsTheRequestIdOfAKeyWhenRedisHasLostIt() {
        upstream.configure(Map.of("outage", "error"));
        String message = freshMessage();
        String key = "lost-" + UUID.randomUUID();
        String first = requestIdOf(signWithKey(message, key).expectStatus().isAccepted());

        redis.execute(connection -> connection.serverCommands().flushDb()).blockLast();

        assertThat(requestIdOf(signWithKey(message, key).expectStatus().isAccepted())).isEqualTo(first);
    }

    @Test
    void findsAnIdempotencyKeyInMySqlWhenRedisLacksIt() {
        String message = freshMessage();
        String key = "durable-" + UUID.randomUUID();
        String requestId = UUID.randomUUID().toString();
        insertRequest(requestId, message, key, "PENDING", null);

        String answered = requestIdOf(signWithKey(message, key).expectStatus().isAccepted());

        assertThat(answered).isEqualTo(requestId);
        assertThat(signRequestsFor(requestId)).isEmpty();
        assertThat(upstream.calls()).isEmpty();
        signWithKey(freshMessage(), key).expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
    }

    @Test
    void answersTheSignatureForARepeatOnceItIsKnown() {
        String message = freshMessage();
        String key = "signed-" + UUID.randomUUID();
        String requestId = UUID.randomUUID().toString();
        insertRequest(requestId, message, key, "SIGNED", "stored-signature");

        signWithKey(message, key).expectStatus().isOk()
                .expectHeader().valueEquals(RequestIdFilter.HEADER, requestId)
                .expectBody(String.class).isEqualTo("stored-signature");
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void acceptsALongMessageByPost() {
        upstream.configure(Map.of("outage", "error"));
        String message = "ü".repeat(2048);

        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("message", message, "webhook", "https://example.com/hook"))
                .exchange()
                .expectStatus().isAccepted()
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("webhook"));
        assertThat(signRequests()).filteredOn(e -> e.key().equals(MessageHash.of(message))).singleElement()
                .satisfies(e -> assertThat(e.json().get("webhook").asString()).isEqualTo("https://example.com/hook"));
    }

    @Test
    void letsAMaximalPercentEncodedMessageReachTheHandler() {
        // 1365 three-byte characters: 4095 bytes, about 12 KB once percent-encoded, with email and webhook on top.
        String message = "€".repeat(1365);
        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").queryParam("email", "{e}")
                        .queryParam("webhook", "{w}")
                        .build(message, "a".repeat(60) + "@example.com", "https://example.com/" + "é".repeat(600)))
                .exchange()
                .expectStatus().isOk();

        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build("€".repeat(1366)))
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/message-too-large");
    }

    @Test
    void exposesTheLatencyHistogram() {
        String message = freshMessage();
        redis.opsForValue().set(RedisKeys.sig(MessageHash.of(message)), "s").block();
        sign(message).expectStatus().isOk();

        web.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build()
                .get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("gateway_request_latency_seconds_bucket")
                        // Every series carries the application tag (common's observability.yml).
                        .contains("gateway_requests_total{application=\"api-gateway\",outcome=\"cached\"}"));
    }

    @Test
    void measuresTheSignPathOnlyWithItsOwnMetrics() {
        String message = freshMessage();
        redis.opsForValue().set(RedisKeys.sig(MessageHash.of(message)), "s").block();
        sign(message).expectStatus().isOk();
        web.get().uri("/crypto/sign/requests/{id}", UUID.randomUUID()).exchange().expectStatus().isNotFound();

        // Other endpoints keep the framework's http.server.requests; /crypto/sign has gateway.request.latency.
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("http.server.requests")
                .tag("uri", "/crypto/sign/requests/{id}").timer() != null
                && meters.counter("gateway.requests", "outcome", "cached").count() > 0);
        assertThat(meters.find("http.server.requests").tag("uri", "/crypto/sign").timer()).isNull();
    }

    private ResponseSpec sign(String message) {
        return web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message)).exchange();
    }

    private ResponseSpec sign(String message,
            String email) {
        return web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").queryParam("email", "{e}")
                .build(message, email)).exchange();
    }

    private ResponseSpec signWithKey(String message,
            String key) {
        return web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .header("Idempotency-Key", key)
                .exchange();
    }

    private static String requestIdOf(ResponseSpec spec) {
        return spec.expectBody(JsonNode.class).returnResult().getResponseBody().get("requestId").asString();
    }

    private void setBacklog(long dueMessages) {
        redis.<String, String>opsForHash().putAll(RedisKeys.BACKLOG_STATS,
                new BacklogStats(dueMessages, dueMessages, 2.0, Instant.now()).toHash()).block();
    }

    private void insertRequest(String requestId, String message, String key, String status, String signature) {
        String hash = MessageHash.of(message);
        DatabaseClient.GenericExecuteSpec insertMessage = db.sql(
                        "INSERT INTO sign_message (message_hash, message, signature, created_at) VALUES (:h, :m, :s, :c)")
                .bind("h", hash).bind("m", message).bind("c", Instant.now());
        insertMessage = signature == null ? insertMessage.bindNull("s", String.class) : insertMessage.bind("s", signature);
        insertMessage.then().block();
        db.sql("INSERT INTO sign_request (id, message_hash, idempotency_key, status, created_at) "
                        + "VALUES (:id, :h, :k, :st, :c)")
                .bind("id", requestId).bind("h", hash).bind("k", key).bind("st", status).bind("c", Instant.now())
                .then().block();
    }

    /** One response of a burst and how long it took from sending the request. */
    private record Timed(HttpStatus status, String body, Duration took) {
    }

    /**
     * Sends all requests at once over pre-opened connections, so that each request's time is the gateway's answer
     * time rather than the test client's connection set-up.
     */
    private List<Timed> concurrently(Flux<String> messages, int concurrency) {
        ConnectionProvider connections = ConnectionProvider.builder("burst").maxConnections(concurrency)
                .pendingAcquireMaxCount(-1).build();
        try {
            WebClient client = WebClient.builder()
                    .baseUrl("http://127.0.0.1:" + port)
                    .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                    .build();
            Flux.range(0, concurrency)
                    .flatMap(i -> client.get().uri("/actuator/health/liveness").retrieve().toBodilessEntity(),
                            concurrency)
                    .blockLast(Duration.ofSeconds(30));
            return messages.flatMap(message -> Mono.defer(() -> {
                                long started = System.nanoTime();
                                return client.get()
                                        .uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                                        .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                                                .map(body -> new Timed(HttpStatus.valueOf(response.statusCode().value()),
                                                        body, Duration.ofNanos(System.nanoTime() - started))));
                            }),
                            concurrency)
                    .collectList()
                    .block(Duration.ofSeconds(30));
        } finally {
            connections.dispose();
        }
    }
}
