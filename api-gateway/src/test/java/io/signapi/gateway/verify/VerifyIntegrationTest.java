package io.signapi.gateway.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;

import io.signapi.common.MessageHash;
import io.signapi.common.RedisKeys;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.gateway.support.GatewayIntegrationTest;

/** {@code GET /crypto/verify}: local answers, upstream answers, and 503 without a budget slot. */
class VerifyIntegrationTest extends GatewayIntegrationTest {

    @Autowired
    UpstreamBudget budget;

    @Test
    void confirmsTheSignatureWeHoldInRedisWithoutCallingTheUpstream() {
        String message = freshMessage();
        redis.opsForValue().set(RedisKeys.sig(MessageHash.of(message)), "held-signature").block();

        verify(message, "held-signature").expectStatus().isOk()
                .expectBody().jsonPath("$.valid").isEqualTo(true);
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void renewsTheHeldSignaturesExpiryWhenConfirmingIt() {
        String message = freshMessage();
        String key = RedisKeys.sig(MessageHash.of(message));
        redis.opsForValue().set(key, "held-signature", Duration.ofMinutes(1)).block();

        verify(message, "held-signature").expectStatus().isOk()
                .expectBody().jsonPath("$.valid").isEqualTo(true);

        // Read and renewed in one command (GETEX), so renewed by the time the answer is out.
        assertThat(redis.getExpire(key).block())
                .isGreaterThan(Duration.ofDays(29)).isLessThanOrEqualTo(Duration.ofDays(30));
    }

    @Test
    void confirmsTheSignatureWeHoldInMySqlWithoutCallingTheUpstream() {
        String message = freshMessage();
        db.sql("INSERT INTO sign_message (message_hash, message, signature, created_at) VALUES (:h, :m, :s, :c)")
                .bind("h", MessageHash.of(message)).bind("m", message).bind("s", "stored-signature")
                .bind("c", Instant.now()).then().block();

        verify(message, "stored-signature").expectStatus().isOk()
                .expectBody().jsonPath("$.valid").isEqualTo(true);
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void asksTheUpstreamAboutASignatureWeDoNotHold() {
        String message = freshMessage();
        String signature = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        redis.delete(RedisKeys.sig(MessageHash.of(message))).block();

        verify(message, signature).expectStatus().isOk().expectBody().jsonPath("$.valid").isEqualTo(true);
        // Another first character: a signature that already starts with "A" must not be "tampered" into itself.
        String tampered = (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);
        verify(message, tampered).expectStatus().isOk()
                .expectBody().jsonPath("$.valid").isEqualTo(false);

        assertThat(upstream.calls()).filteredOn(call -> call.path().equals("/crypto/verify")).hasSize(2);
    }

    @Test
    void answers503WithRetryAfterWhenNoBudgetSlotIsFree() {
        budget.pause().block();

        verify(freshMessage(), "some-signature").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().valueEquals("Retry-After", "3")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/unavailable");
        assertThat(upstream.calls()).isEmpty();
    }

    @Test
    void namesTheMissingFields() {
        web.get().uri("/crypto/verify").exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors[0].field").isEqualTo("message")
                .jsonPath("$.errors[1].field").isEqualTo("signature");
    }

    private ResponseSpec verify(String message, String signature) {
        return web.get().uri(b -> b.path("/crypto/verify").queryParam("message", "{m}")
                .queryParam("signature", "{s}").build(message, signature)).exchange();
    }
}
