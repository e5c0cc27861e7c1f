package io.signapi.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

import io.signapi.common.MessageHash;
import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.support.GatewayIntegrationTest;
import tools.jackson.databind.JsonNode;

/** {@code GET /crypto/sign/requests/{id}} from the Redis marker and from MySQL rows written as the worker would. */
class StatusIntegrationTest extends GatewayIntegrationTest {

    @Test
    void findsAJustAcceptedRequestThroughItsMarker() {
        upstream.configure(Map.of("outage", "error"));
        JsonNode accepted = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(freshMessage()))
                .exchange()
                .expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String requestId = accepted.get("requestId").asString();

        web.get().uri(accepted.get("statusUrl").asString()).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(RequestIdFilter.HEADER, requestId)
                .expectBody()
                .jsonPath("$.requestId").isEqualTo(requestId)
                .jsonPath("$.status").isEqualTo("PENDING")
                .jsonPath("$.attempts").isEqualTo(0)
                .jsonPath("$.createdAt").isNotEmpty()
                .jsonPath("$.estimatedReadyAt").isEqualTo(accepted.get("estimatedReadyAt").asString())
                .jsonPath("$.signature").doesNotExist()
                .jsonPath("$.completedAt").doesNotExist();
    }

    @Test
    void reportsASignedRequestFromMySqlWithItsSignature() {
        String requestId = UUID.randomUUID().toString();
        Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(30);
        Instant completed = created.plusSeconds(20);
        insert(requestId, "SIGNED", "the-signature", 3, created, completed);

        web.get().uri("/crypto/sign/requests/{id}", requestId).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("SIGNED")
                .jsonPath("$.signature").isEqualTo("the-signature")
                .jsonPath("$.attempts").isEqualTo(3)
                .jsonPath("$.createdAt").isEqualTo(created.toString())
                .jsonPath("$.completedAt").isEqualTo(completed.toString())
                .jsonPath("$.estimatedReadyAt").doesNotExist();
    }

    @Test
    void estimatesWhenAPendingRequestWillBeReady() {
        String requestId = UUID.randomUUID().toString();
        insert(requestId, "PENDING", null, 1, Instant.now(), null);

        JsonNode status = web.get().uri("/crypto/sign/requests/{id}", requestId).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(status.get("status").asString()).isEqualTo("PENDING");
        assertThat(status.has("signature")).isFalse();
        assertThat(Instant.parse(status.get("estimatedReadyAt").asString())).isAfter(Instant.now().minusSeconds(1));
    }

    @Test
    void showsTheWorkersExpectedTimeForAPendingRequest() {
        String requestId = UUID.randomUUID().toString();
        insert(requestId, "PENDING", null, 1, Instant.now(), null);
        Instant expected = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(42);
        db.sql("UPDATE sign_message SET expected_at = :t WHERE message_hash = "
                        + "(SELECT message_hash FROM sign_request WHERE id = :id)")
                .bind("t", expected).bind("id", requestId).then().block();

        web.get().uri("/crypto/sign/requests/{id}", requestId).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("PENDING")
                .jsonPath("$.estimatedReadyAt").isEqualTo(expected.toString())
                .jsonPath("$.failureReason").doesNotExist();
    }

    @Test
    void showsWhyAFailedRequestFailed() {
        String requestId = UUID.randomUUID().toString();
        insert(requestId, "FAILED", null, 12, Instant.now().minusSeconds(60), Instant.now());
        db.sql("UPDATE sign_request SET failure_reason = 'EXPIRED' WHERE id = :id").bind("id", requestId)
                .then().block();

        web.get().uri("/crypto/sign/requests/{id}", requestId).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("FAILED")
                .jsonPath("$.failureReason").isEqualTo("EXPIRED")
                .jsonPath("$.estimatedReadyAt").doesNotExist();
    }

    @Test
    void hidesTheSignatureOfAFailedRequest() {
        String requestId = UUID.randomUUID().toString();
        insert(requestId, "FAILED", "late-signature", 40, Instant.now().minusSeconds(60), Instant.now());

        web.get().uri("/crypto/sign/requests/{id}", requestId).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("FAILED")
                .jsonPath("$.signature").doesNotExist();
    }

    @Test
    void answers404ForAnUnknownRequest() {
        web.get().uri("/crypto/sign/requests/{id}", UUID.randomUUID()).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/not-found")
                .jsonPath("$.status").isEqualTo(404);
    }

    @Test
    void answers400ForAnIdThatIsNotAUuid() {
        for (String id : new String[] {"42", "not-a-uuid", "1-1-1-1-1", UUID.randomUUID() + "0"}) {
            web.get().uri("/crypto/sign/requests/{id}", id).exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("/problems/invalid-request")
                    .jsonPath("$.errors[0].field").isEqualTo("id");
        }
    }

    private void insert(String requestId, String status, String signature, int attempts, Instant created,
            Instant completed) {
        String message = freshMessage();
        String hash = MessageHash.of(message);
        var insertMessage = db.sql(
                        "INSERT INTO sign_message (message_hash, message, signature, created_at) VALUES (:h, :m, :s, :c)")
                .bind("h", hash).bind("m", message).bind("c", created);
        (signature == null ? insertMessage.bindNull("s", String.class) : insertMessage.bind("s", signature))
                .then().block();
        var insertRequest = db.sql("INSERT INTO sign_request (id, message_hash, status, attempts, created_at, "
                        + "completed_at) VALUES (:id, :h, :st, :a, :c, :done)")
                .bind("id", requestId).bind("h", hash).bind("st", status).bind("a", attempts).bind("c", created);
        (completed == null ? insertRequest.bindNull("done", Instant.class) : insertRequest.bind("done", completed))
                .then().block();
    }
}
