package io.signapi.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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

/**
 * {@code GET /crypto/sign/requests/{id}/history}: a request whose direct call failed, which the worker then retried
 * and signed and the notifier delivered (rows written as those services write them), shows every attempt and
 * delivery.
 */
class HistoryIntegrationTest extends GatewayIntegrationTest {

    @Test
    void showsTheAttemptsAndDeliveriesOfARequestThatWasRetriedAndNotified() {
        upstream.configure(Map.of("outage", "error"));
        String message = freshMessage();
        String hash = MessageHash.of(message);
        JsonNode accepted = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}")
                        .queryParam("email", "ada@example.com").queryParam("webhook", "https://example.com/hook")
                        .build(message))
                .exchange()
                .expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String requestId = accepted.get("requestId").asString();
        // The gateway's own direct call (a 502) is recorded on the side.
        await().atMost(Duration.ofSeconds(5)).until(() -> attemptRows(hash) == 1);

        // Then the worker: a degraded retry, a signed one, the request SIGNED after 3 calls ...
        Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant retried = created.plusSeconds(30);
        Instant signed = created.plusSeconds(90);
        insertMessage(hash, message, created);
        insertAttempt(hash, "DEGRADED", 502, retried, 120);
        insertAttempt(hash, "SIGNED", 200, signed, 95);
        db.sql("INSERT INTO sign_request (id, message_hash, email, webhook, status, attempts, created_at, completed_at,"
                        + " result_published) VALUES (:id, :h, 'ada@example.com', 'https://example.com/hook', 'SIGNED',"
                        + " 3, :c, :done, TRUE)")
                .bind("id", requestId).bind("h", hash).bind("c", created).bind("done", signed.plusMillis(95))
                .then().block();
        // ... and the notifier: the webhook delivered on its second try, the mail waiting for its third.
        Instant delivered = signed.plusSeconds(6);
        Instant nextMail = signed.plusSeconds(300);
        insertNotification(requestId, "WEBHOOK", "DELIVERED", 2, "HTTP 503", null, delivered, delivered);
        insertNotification(requestId, "EMAIL", "RETRYING", 2, "421 try again later", nextMail, null,
                signed.plusSeconds(5));

        JsonNode history = web.get().uri("/crypto/sign/requests/{id}/history", requestId).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(RequestIdFilter.HEADER, requestId)
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(history.get("requestId").asString()).isEqualTo(requestId);
        assertThat(history.get("status").asString()).isEqualTo("SIGNED");
        assertThat(history.get("messageHash").asString()).isEqualTo(hash);
        assertThat(history.get("attempts").asInt()).isEqualTo(3);
        assertThat(history.get("createdAt").asString()).isEqualTo(created.toString());
        assertThat(history.has("failureReason")).isFalse();
        assertThat(history.toString()).doesNotContain(message);

        JsonNode attempts = history.get("upstreamAttempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.get(0).get("caller").asString()).isEqualTo("GATEWAY");
        assertThat(attempts.get(0).get("outcome").asString()).isEqualTo("DEGRADED");
        assertThat(attempts.get(0).get("httpStatus").asInt()).isEqualTo(502);
        assertThat(attempts.get(1).get("caller").asString()).isEqualTo("WORKER");
        assertThat(attempts.get(1).get("outcome").asString()).isEqualTo("DEGRADED");
        assertThat(attempts.get(1).get("startedAt").asString()).isEqualTo(retried.toString());
        assertThat(attempts.get(1).get("latencyMs").asInt()).isEqualTo(120);
        assertThat(attempts.get(2).get("outcome").asString()).isEqualTo("SIGNED");
        assertThat(attempts.get(2).get("httpStatus").asInt()).isEqualTo(200);
        assertThat(attempts.get(2).get("finishedAt").asString()).isEqualTo(signed.plusMillis(95).toString());

        JsonNode notifications = history.get("notifications");
        assertThat(notifications).hasSize(2);
        JsonNode mail = notifications.get(0);
        assertThat(mail.get("channel").asString()).isEqualTo("EMAIL");
        assertThat(mail.get("status").asString()).isEqualTo("RETRYING");
        assertThat(mail.get("attempts").asInt()).isEqualTo(2);
        assertThat(mail.get("lastError").asString()).isEqualTo("421 try again later");
        assertThat(mail.get("nextAttemptAt").asString()).isEqualTo(nextMail.toString());
        assertThat(mail.has("deliveredAt")).isFalse();
        JsonNode hook = notifications.get(1);
        assertThat(hook.get("channel").asString()).isEqualTo("WEBHOOK");
        assertThat(hook.get("status").asString()).isEqualTo("DELIVERED");
        assertThat(hook.get("attempts").asInt()).isEqualTo(2);
        assertThat(hook.get("deliveredAt").asString()).isEqualTo(delivered.toString());
        assertThat(hook.has("nextAttemptAt")).isFalse();
    }

    @Test
    void showsAJustAcceptedRequestAsPendingWithNothingYetFromItsMarker() {
        upstream.configure(Map.of("outage", "error"));
        JsonNode accepted = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(freshMessage()))
                .exchange()
                .expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        web.get().uri("/crypto/sign/requests/{id}/history", accepted.get("requestId").asString()).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("PENDING")
                .jsonPath("$.upstreamAttempts").isEmpty()
                .jsonPath("$.notifications").isEmpty()
                .jsonPath("$.messageHash").doesNotExist();
    }

    @Test
    void answers404ForAnUnknownRequest() {
        web.get().uri("/crypto/sign/requests/{id}/history", UUID.randomUUID()).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/not-found");
    }

    @Test
    void answers400ForAnIdThatIsNotAUuidAsTheStatusEndpointDoes() {
        for (String id : new String[] {"42", "not-a-uuid", UUID.randomUUID() + "0"}) {
            web.get().uri("/crypto/sign/requests/{id}/history", id).exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("/problems/invalid-request")
                    .jsonPath("$.errors[0].field").isEqualTo("id");
        }
    }

    private long attemptRows(String hash) {
        Number n = db.sql("SELECT COUNT(*) AS n FROM sign_attempt WHERE message_hash = :h").bind("h", hash)
                .map(row -> row.get("n", Number.class)).one().block();
        return n == null ? 0 : n.longValue();
    }

    private void insertMessage(String hash, String message, Instant created) {
        db.sql("INSERT INTO sign_message (message_hash, message, signature, created_at) VALUES (:h, :m, 'sig', :c)")
                .bind("h", hash).bind("m", message).bind("c", created).then().block();
    }

    private void insertAttempt(String hash, String outcome, int status, Instant started, int latencyMs) {
        db.sql("INSERT INTO sign_attempt (message_hash, caller, instance_id, started_at, finished_at, outcome,"
                        + " http_status, latency_ms) VALUES (:h, 'WORKER', 'worker-1', :s, :f, :o, :st, :l)")
                .bind("h", hash).bind("s", started).bind("f", started.plusMillis(latencyMs)).bind("o", outcome)
                .bind("st", status).bind("l", latencyMs)
                .then().block();
    }

    private void insertNotification(String requestId, String channel, String status, int attempts, String error,
            Instant next, Instant delivered, Instant updated) {
        var insert = db.sql("INSERT INTO notification (request_id, channel, status, attempts, last_error, delivered_at,"
                        + " created_at, updated_at, next_attempt_at) VALUES (:id, :ch, :st, :a, :e, :d, :u, :u, :n)")
                .bind("id", requestId).bind("ch", channel).bind("st", status).bind("a", attempts).bind("e", error)
                .bind("u", updated);
        insert = next == null ? insert.bindNull("n", Instant.class) : insert.bind("n", next);
        insert = delivered == null ? insert.bindNull("d", Instant.class) : insert.bind("d", delivered);
        insert.then().block();
    }
}
