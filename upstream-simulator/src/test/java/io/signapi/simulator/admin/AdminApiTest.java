package io.signapi.simulator.admin;

import io.signapi.simulator.LiveSimulatorTest;
import io.signapi.simulator.UpstreamCalls;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class AdminApiTest extends LiveSimulatorTest {

    @BeforeEach
    void noDegradedMessages() {
        admin.configure(Map.of("failureRate", 0));
    }

    @Test
    void statsCountCallsByOutcome() {
        sign("one");
        sign("two");
        web.get().uri("/crypto/sign?message=x").exchange().expectStatus().isUnauthorized();

        web.get().uri("/__sim/stats").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.calls").isEqualTo(3)
                .jsonPath("$.signCalls").isEqualTo(3)
                .jsonPath("$.verifyCalls").isEqualTo(0)
                .jsonPath("$.successes").isEqualTo(2)
                .jsonPath("$.failures").isEqualTo(0)
                .jsonPath("$.rateLimited").isEqualTo(0)
                .jsonPath("$.unauthorized").isEqualTo(1)
                .jsonPath("$.maxInWindow").isEqualTo(2)
                .jsonPath("$.limit").isEqualTo(100000)
                .jsonPath("$.windowMillis").isEqualTo(60000);
    }

    @Test
    void resetClearsCountersAndTheLog() {
        sign("one");

        web.post().uri("/__sim/reset").exchange().expectStatus().isNoContent();

        web.get().uri("/__sim/stats").exchange().expectBody()
                .jsonPath("$.calls").isEqualTo(0)
                .jsonPath("$.maxInWindow").isEqualTo(0);
        web.get().uri("/__sim/calls").exchange().expectBody().json("[]");
    }

    @Test
    void configChangesAnswerTheWholeConfig() {
        web.post().uri("/__sim/config").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"failureRate\": 0.25, \"degradedMaxWindows\": 3, \"slowShare\": 0.1, \"slowMillis\": 4000,"
                        + " \"outage\": \"ERROR\"}")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.seed").isEqualTo(1)
                .jsonPath("$.failureRate").isEqualTo(0.25)
                .jsonPath("$.degradedMinWindows").isEqualTo(0.75)
                .jsonPath("$.degradedMaxWindows").isEqualTo(3.0)
                .jsonPath("$.latencyMinMillis").isEqualTo(0)
                .jsonPath("$.latencyMaxMillis").isEqualTo(5)
                .jsonPath("$.slowShare").isEqualTo(0.1)
                .jsonPath("$.slowMillis").isEqualTo(4000)
                .jsonPath("$.outage").isEqualTo("error")
                .jsonPath("$.limit").isEqualTo(100000)
                .jsonPath("$.windowMillis").isEqualTo(60000);
        web.get().uri("/__sim/config").exchange().expectBody().jsonPath("$.failureRate").isEqualTo(0.25);
    }

    @Test
    void configAcceptsABodyWithoutAJsonContentType() {
        web.post().uri("/__sim/config").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("{\"latencyMaxMillis\": 7}")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.latencyMaxMillis").isEqualTo(7);
    }

    @Test
    void configRejectsBadValuesNamingTheFieldAndChangesNothing() {
        expectInvalid("{\"failureRate\": 1.5, \"outage\": \"hang\"}", "failureRate");
        expectInvalid("{\"latencyMinMillis\": 300, \"latencyMaxMillis\": 200}", "latencyMaxMillis");
        expectInvalid("{\"degradedMinWindows\": 6}", "degradedMaxWindows");
        expectInvalid("{\"outage\": \"sometimes\"}", "outage");
        expectInvalid("{\"slowMillis\": \"soon\"}", "slowMillis");
        expectInvalid("{\"failurerate\": 0.1}", "failurerate");
        expectInvalid("{\"limit\": 99}", "limit");
        expectInvalid("[1, 2]", "body");

        web.get().uri("/__sim/config").exchange().expectBody()
                .jsonPath("$.failureRate").isEqualTo(0.0)
                .jsonPath("$.outage").isEqualTo("none");
    }

    @Test
    void configAcceptsTheFixedFieldsBackUnchanged() {
        web.post().uri("/__sim/config")
                .bodyValue("{\"seed\": 1, \"limit\": 100000, \"windowMillis\": 60000, \"slowShare\": 0.5}")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.slowShare").isEqualTo(0.5);
    }

    @Test
    void apiKeyChangesAtRunTimeAndComesBackWithTheStartUpConfig() {
        web.post().uri("/__sim/config").bodyValue("{\"apiKey\": \"rotated-key\"}")
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.apiKey").isEqualTo("rotated-key");

        web.get().uri("/crypto/sign?message=x").header("Authorization", UpstreamCalls.KEY).exchange()
                .expectStatus().isUnauthorized();
        web.get().uri("/crypto/sign?message=x").header("Authorization", "rotated-key").exchange()
                .expectStatus().isOk();

        web.post().uri("/__sim/config").bodyValue("{\"apiKey\": \"" + UpstreamCalls.KEY + "\"}")
                .exchange().expectStatus().isOk();
        sign("with the first key again");
        admin.configure(Map.of("apiKey", "rotated-again"));
        admin.restoreConfig();
        web.get().uri("/__sim/config").exchange().expectBody().jsonPath("$.apiKey").isEqualTo(UpstreamCalls.KEY);
        // The restore brought back the start-up failure rate too.
        admin.configure(Map.of("failureRate", 0));
        sign("after the restore");
    }

    @Test
    void configRejectsAnEmptyApiKeyAndKeepsTheKey() {
        expectInvalid("{\"apiKey\": \"\"}", "apiKey");
        expectInvalid("{\"apiKey\": 7}", "apiKey");

        sign("still the same key");
    }

    @Test
    void configReadBackCanBePostedUnchanged() {
        String config = web.get().uri("/__sim/config").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        web.post().uri("/__sim/config").contentType(MediaType.APPLICATION_JSON).bodyValue(config)
                .exchange()
                .expectStatus().isOk()
                .expectBody().json(config);
        sign("after posting the config back");
    }

    @Test
    void planTellsWhetherTheFirstCallFailsAndForHowLong() {
        web.get().uri("/__sim/plan?message={m}", "any message").exchange()
                .expectStatus().isOk()
                .expectBody().json("{\"failsFirst\": false, \"degradedMillis\": 0}", true);

        admin.configure(Map.of("failureRate", 1, "degradedMinWindows", 1, "degradedMaxWindows", 2));

        web.get().uri("/__sim/plan?message={m}", "any message").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.failsFirst").isEqualTo(true)
                .jsonPath("$.degradedMillis").value(millis -> org.assertj.core.api.Assertions
                        .assertThat(((Number) millis).longValue()).isBetween(60_000L, 120_000L));
        web.get().uri("/__sim/stats").exchange().expectBody().jsonPath("$.calls").isEqualTo(0);
    }

    @Test
    void planNeedsAMessage() {
        web.get().uri("/__sim/plan").exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("message");
    }

    private void sign(String message) {
        web.get().uri("/crypto/sign?message={m}", message).header("Authorization", UpstreamCalls.KEY).exchange()
                .expectStatus().isOk();
    }

    private void expectInvalid(String body, String field) {
        web.post().uri("/__sim/config").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors[0].field").isEqualTo(field)
                .jsonPath("$.detail").value(detail -> org.assertj.core.api.Assertions.assertThat((String) detail)
                        .startsWith(field));
    }
}
