package io.signapi.simulator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.simulator.LiveSimulatorTest;
import io.signapi.simulator.UpstreamCalls;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.simulator.signing.MessageSigner;
import io.signapi.simulator.signing.MessageSignerTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;

class CryptoApiTest extends LiveSimulatorTest {

    @Autowired
    MessageSigner signer;

    @BeforeEach
    void noDegradedMessages() {
        admin.configure(Map.of("failureRate", 0));
    }

    @Test
    void announcesItselfOnRootWithTheWelcomeTextAndItsBudget() {
        web.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Upstream-Simulator", "upstream-simulator")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.service").isEqualTo("upstream-simulator")
                .jsonPath("$.welcome").value(welcome -> assertThat((String) welcome).startsWith("Welcome"))
                .jsonPath("$.limit").value(limit -> assertThat(((Number) limit).longValue())
                        .isEqualTo(((Number) admin.config().get("limit")).longValue()))
                .jsonPath("$.windowMillis").value(window -> assertThat(((Number) window).longValue())
                        .isEqualTo(((Number) admin.config().get("windowMillis")).longValue()));
        web.get().uri("/").header("Authorization", UpstreamCalls.KEY).exchange().expectStatus().isOk();
        assertThat(admin.stats().calls()).isZero();
    }

    @Test
    void announcesItselfDuringAHangOutage() {
        admin.configure(Map.of("outage", "hang"));
        web.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Upstream-Simulator", "upstream-simulator");
        assertThat(admin.stats().calls()).isZero();
    }

    @Test
    void answers401WithoutTheConfiguredKey() {
        expectText(web.get().uri("/crypto/sign?message=hi").exchange(), 401, "Error 401: Unauthorized.");
        expectText(web.get().uri("/crypto/sign?message=hi").header("Authorization", "Bearer " + UpstreamCalls.KEY)
                .exchange(), 401, "Error 401: Unauthorized.");
        expectText(web.get().uri("/crypto/verify?message=hi&signature=x").header("Authorization", "wrong")
                .exchange(), 401, "Error 401: Unauthorized.");
        assertThat(admin.stats().unauthorized()).isEqualTo(3);
    }

    @Test
    void answers400ForAMissingMessageOrSignature() {
        expectText(authorized("/crypto/sign"), 400, "Must specify a message.");
        expectText(authorized("/crypto/sign?message="), 400, "Must specify a message.");
        expectText(authorized("/crypto/verify?signature=abc"), 400, "Must specify a message.");
        expectText(authorized("/crypto/verify?message=hi"), 400, "Must specify a signature.");
        assertThat(admin.stats().badRequests()).isEqualTo(4);
    }

    @Test
    void signsWithUrlSafeBase64OfAnRsa2048Signature() throws Exception {
        ResponseEntity<String> response = upstream.signNow("hello world");

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getHeaders().getContentType()).satisfies(
                type -> assertThat(type.isCompatibleWith(MediaType.TEXT_PLAIN)).isTrue());
        String signature = response.getBody();
        assertThat(signature).hasSize(344).matches("[A-Za-z0-9_-]{342}==");
        assertThat(MessageSignerTest.verifies(signer.publicKey(), "hello world", signature)).isTrue();
    }

    @Test
    void givesAMessageTheSameSignatureEveryTime() {
        String first = upstream.signNow("déjà vu & more").getBody();
        String second = upstream.signNow("déjà vu & more").getBody();
        String other = upstream.signNow("déjà vu & less").getBody();

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void decodesPlusAsSpaceLikeAFormEncodedQuery() {
        String spaced = upstream.signNow("a b").getBody();

        expectText(authorized("/crypto/sign?message=a+b"), 200, spaced);
        assertThat(upstream.signNow("a+b").getBody()).isNotEqualTo(spaced);
    }

    @Test
    void verifiesItsOwnSignaturesAndRejectsOthers() {
        String signature = upstream.signNow("to verify").getBody();
        String otherSignature = upstream.signNow("something else").getBody();

        assertThat(upstream.verify("to verify", signature).block())
                .satisfies(r -> assertThat(r.getStatusCode().value()).isEqualTo(200))
                .satisfies(r -> assertThat(r.getBody()).isEqualTo("Signature verified as valid!"));
        assertThat(upstream.verify("to verify", otherSignature).block())
                .satisfies(r -> assertThat(r.getStatusCode().value()).isEqualTo(400))
                .satisfies(r -> assertThat(r.getBody()).isEqualTo("Error 400: Invalid signature for message!"));
        assertThat(upstream.verify("to verify", "not*base64").block())
                .satisfies(r -> assertThat(r.getBody()).isEqualTo("Error 400: Invalid signature for message!"));
        assertThat(admin.stats().verifyCalls()).isEqualTo(3);
    }

    @Test
    void answers502WithTheRecordedBodyForADegradedMessage() {
        admin.configure(Map.of("failureRate", 1));

        ResponseEntity<String> response = upstream.signNow("unlucky");

        assertThat(response.getStatusCode().value()).isEqualTo(502);
        assertThat(response.getBody())
                .isEqualTo("Error 502: Failed to sign message due to simulated service degradation.");
        assertThat(admin.stats().failures()).isEqualTo(1);
    }

    @Test
    void errorOutageFailsEverySignCallButNotVerify() {
        String signature = upstream.signNow("before the outage").getBody();
        admin.configure(Map.of("outage", "error"));

        for (int i = 0; i < 20; i++) {
            assertThat(upstream.signNow("during the outage " + i).getStatusCode().value()).isEqualTo(502);
        }
        assertThat(upstream.signNow("before the outage").getStatusCode().value()).isEqualTo(502);
        assertThat(upstream.verify("before the outage", signature).block().getStatusCode().value()).isEqualTo(200);
        assertThat(admin.stats().failures()).isEqualTo(21);
    }

    @Test
    void hangOutageNeverAnswers() {
        admin.configure(Map.of("outage", "hang"));

        expectNoAnswerWithin(Duration.ofMillis(700), upstream.sign("stuck"));
        expectNoAnswerWithin(Duration.ofMillis(300), upstream.verify("stuck", "abc"));
        assertThat(admin.stats().hung()).isEqualTo(2);
        assertThat(admin.calls()).extracting(CallRecord::status).containsExactly(0, 0);
    }

    @Test
    void callLogRecordsArrivalTimesBeforeTheLatency() {
        admin.configure(Map.of("latencyMinMillis", 300, "latencyMaxMillis", 300));
        long before = System.currentTimeMillis();

        upstream.signNow("timed");

        long after = System.currentTimeMillis();
        assertThat(after - before).isGreaterThanOrEqualTo(300);
        List<CallRecord> calls = admin.calls();
        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.path()).isEqualTo("/crypto/sign");
            assertThat(call.message()).isEqualTo("timed");
            assertThat(call.status()).isEqualTo(200);
            assertThat(call.at()).isBetween(before, after - 300);
        });
        web.get().uri("/__sim/calls").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$[0].at").isEqualTo(calls.getFirst().at())
                .jsonPath("$[0].path").isEqualTo("/crypto/sign")
                .jsonPath("$[0].message").isEqualTo("timed")
                .jsonPath("$[0].status").isEqualTo(200);
    }

    @Test
    void slowShareMakesCallsTakeTheSlowLatency() {
        admin.configure(Map.of("slowShare", 1, "slowMillis", 500));
        long before = System.nanoTime();

        assertThat(upstream.signNow("slow").getStatusCode().value()).isEqualTo(200);

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    private WebTestClient.ResponseSpec authorized(String uri) {
        return web.get().uri(uri).header("Authorization", UpstreamCalls.KEY).exchange();
    }

    private static void expectText(WebTestClient.ResponseSpec response, int status, String body) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectBody(String.class).isEqualTo(body);
    }
}
