package io.signapi.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.MessageHash;
import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.problem.UnavailableException;
import io.signapi.gateway.support.SliceTestConfiguration;
import reactor.core.publisher.Mono;

/** The HTTP contract of {@code /crypto/sign}: validation, negotiation and problem shape, with the flow stubbed. */
@WebFluxTest(SignController.class)
@Import({SignRequestValidator.class, SliceTestConfiguration.class})
class SignControllerTest {

    private static final String SIGNATURE = "c2lnbmF0dXJl".repeat(28) + "AA==";

    @Autowired
    WebTestClient web;

    @MockitoBean
    SignFlow flow;

    @Test
    void answersTheSignatureAsPlainTextByDefault() {
        given(flow.sign(any(), any())).willReturn(Mono.just(
                new SignResult.Signed(null, "hello", SIGNATURE, SignResult.Source.CACHED)));

        web.get().uri("/crypto/sign?message=hello").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectHeader().exists(RequestIdFilter.HEADER)
                .expectBody(String.class).isEqualTo(SIGNATURE);
    }

    @Test
    void answersMessageAndSignatureAsJsonWhenAsked() {
        given(flow.sign(any(), any())).willReturn(Mono.just(
                new SignResult.Signed(null, "hello", SIGNATURE, SignResult.Source.DIRECT)));

        web.get().uri("/crypto/sign?message=hello").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.message").isEqualTo("hello")
                .jsonPath("$.signature").isEqualTo(SIGNATURE);
    }

    @Test
    void prefersPlainTextUnlessJsonRanksHigher() {
        assertThat(SignController.prefersJson(headers("*/*"))).isFalse();
        assertThat(SignController.prefersJson(headers("text/plain, application/json"))).isFalse();
        assertThat(SignController.prefersJson(headers("application/json, text/plain;q=0.5"))).isTrue();
        assertThat(SignController.prefersJson(headers("application/*"))).isTrue();
        assertThat(SignController.prefersJson(headers(null))).isFalse();
    }

    @Test
    void answers202WithLocationStatusUrlAndRequestId() {
        UUID id = UUID.randomUUID();
        Instant eta = Instant.parse("2030-01-01T00:00:30Z");
        given(flow.sign(any(), any())).willReturn(Mono.just(new SignResult.Accepted(id, eta, "detail sentence")));

        web.get().uri("/crypto/sign?message=hello&email=a@example.com").exchange()
                .expectStatus().isAccepted()
                .expectHeader().valueEquals("Location", "/crypto/sign/requests/" + id)
                .expectHeader().valueEquals(RequestIdFilter.HEADER, id.toString())
                .expectBody()
                .jsonPath("$.requestId").isEqualTo(id.toString())
                .jsonPath("$.status").isEqualTo("PENDING")
                .jsonPath("$.statusUrl").value(url -> assertThat((String) url).endsWith("/crypto/sign/requests/" + id))
                .jsonPath("$.estimatedReadyAt").isEqualTo("2030-01-01T00:00:30Z")
                .jsonPath("$.detail").isEqualTo("detail sentence");
    }

    @Test
    void passesTheValidatedRequestToTheFlow() {
        given(flow.sign(any(), any())).willReturn(Mono.just(
                new SignResult.Signed(null, "a & b = c+d", SIGNATURE, SignResult.Source.CACHED)));

        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "order-42")
                .bodyValue("{\"message\":\"a & b = c+d\",\"email\":\"a@example.com\",\"webhook\":\"https://example.com/h\"}")
                .exchange()
                .expectStatus().isOk();

        verify(flow).sign(org.mockito.ArgumentMatchers.eq(new SignCommand("a & b = c+d",
                MessageHash.of("a & b = c+d"), "a@example.com", "https://example.com/h", "order-42")), any());
    }

    @Test
    void refusesAMissingMessageWith422NamingTheField() {
        web.get().uri("/crypto/sign").exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().exists(RequestIdFilter.HEADER)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/invalid-request")
                .jsonPath("$.status").isEqualTo(422)
                .jsonPath("$.title").isEqualTo("Invalid request")
                .jsonPath("$.detail").isNotEmpty()
                .jsonPath("$.errors[0].field").isEqualTo("message")
                .jsonPath("$.errors[0].message").isEqualTo("must not be blank");
        verify(flow, never()).sign(any(), any());
    }

    @Test
    void refusesABlankMessage() {
        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build("  \t ")).exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("message");
    }

    @Test
    void listsEveryInvalidField() {
        web.get().uri(b -> b.path("/crypto/sign").queryParam("email", "{e}").queryParam("webhook", "{w}")
                        .build("not an email", "ftp://example.com/x"))
                .header("Idempotency-Key", "é")
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectBody()
                .jsonPath("$.errors.length()").isEqualTo(4)
                .jsonPath("$.errors[?(@.field == 'message')]").exists()
                .jsonPath("$.errors[?(@.field == 'email')].message").isEqualTo("must be a valid email address")
                .jsonPath("$.errors[?(@.field == 'webhook')].message")
                .isEqualTo("must be an absolute http or https URL")
                .jsonPath("$.errors[?(@.field == 'Idempotency-Key')]").exists();
    }

    @Test
    void refusesPrivateWebhookTargetsByDefault() {
        for (String hook : new String[] {"http://127.0.0.1/h", "http://10.1.2.3/h", "http://[::1]/h",
                "https://169.254.169.254/latest", "http://localhost:8080/h", "http://[::ffff:192.168.0.1]/h",
                "http://[fd00::1]/h", "http://100.64.0.1/h"}) {
            web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "m").queryParam("webhook", "{w}")
                            .build(hook))
                    .exchange()
                    .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                    .expectBody()
                    .jsonPath("$.errors[0].field").isEqualTo("webhook")
                    .jsonPath("$.errors[0].message")
                    .isEqualTo("must not point to a loopback, private or link-local address");
        }
    }

    @Test
    void refusesNumericHostsThatAreNotPlainNames() {
        for (String hook : new String[] {"http://2130706433/h", "http://0x7f.1/h", "http://127.1/h", "http:/relative", "//no-scheme"}) {
            web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "m").queryParam("webhook", "{w}")
                            .build(hook))
                    .exchange()
                    .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                    .expectBody().jsonPath("$.errors[0].field").isEqualTo("webhook");
        }
    }

    @Test
    void refusesLineBreaksInEmailAndWebhookSoNoHeaderCanBeInjected() {
        for (String[] input : new String[][] {
                {"email", "a@example.com\r\nBcc: victim@example.com"},
                {"email", "a@example.com\nSubject: x"},
                {"webhook", "https://example.com/h\r\nX-Injected: 1"},
                {"webhook", "https://example.com/h\nHost: evil.example"}}) {
            web.post().uri("/crypto/sign")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("message", "m", input[0], input[1]))
                    .exchange()
                    .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                    .expectBody()
                    .jsonPath("$.errors[0].field").isEqualTo(input[0]);
        }
        verifyNoInteractions(flow);
    }

    @Test
    void acceptsPublicWebhookTargets() {
        given(flow.sign(any(), any())).willReturn(Mono.just(
                new SignResult.Signed(null, "m", SIGNATURE, SignResult.Source.CACHED)));
        for (String hook : new String[] {"https://example.com/hooks?a=1", "http://93.184.216.34:8080/h",
                "https://[2606:2800:220:1::1]/h"}) {
            web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "m").queryParam("webhook", "{w}")
                            .build(hook))
                    .exchange()
                    .expectStatus().isOk();
        }
    }

    @Test
    void refusesRepeatedParameters() {
        web.get().uri("/crypto/sign?message=a&message=b").exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectBody()
                .jsonPath("$.errors[0].field").isEqualTo("message")
                .jsonPath("$.errors[0].message").isEqualTo("must be given at most once");
    }

    @Test
    void refusesAnIdempotencyKeyLongerThan128Characters() {
        web.get().uri("/crypto/sign?message=a").header("Idempotency-Key", "k".repeat(129)).exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("Idempotency-Key");
    }

    @Test
    void refusesAMessageOver4096BytesWith413() {
        // 1366 three-byte characters: 4098 bytes of UTF-8, fewer than 4096 characters.
        String message = "€".repeat(1366);
        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"message\":\"" + message + "\"}")
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/message-too-large")
                .jsonPath("$.status").isEqualTo(413)
                .jsonPath("$.errors[0].field").isEqualTo("message");
    }

    @Test
    void acceptsAMessageOfExactly4096Bytes() {
        given(flow.sign(any(), any())).willReturn(Mono.just(
                new SignResult.Signed(null, "x", SIGNATURE, SignResult.Source.CACHED)));
        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"message\":\"" + "x".repeat(4096) + "\"}")
                .exchange()
                .expectStatus().isOk();
    }

    @Test
    void refusesABodyThatIsNotAJsonObjectWith400() {
        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON).bodyValue("[1, 2")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/invalid-request")
                .jsonPath("$.errors[0].field").isEqualTo("body");
    }

    @Test
    void treatsAnEmptyBodyAsAMissingMessage() {
        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("message");
    }

    @Test
    void refusesAnOversizedBodyWith413() {
        web.post().uri("/crypto/sign").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"message\":\"" + "x".repeat(100_000) + "\"}")
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/message-too-large");
    }

    @Test
    void answers503WithRetryAfterWhenTheFlowCannotAccept() {
        given(flow.sign(any(), any())).willReturn(Mono.error(
                new UnavailableException("not durable", java.time.Duration.ofMillis(1500))));

        web.get().uri("/crypto/sign?message=hello").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().valueEquals("Retry-After", "2")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/unavailable")
                .jsonPath("$.detail").isEqualTo("not durable");
    }

    @Test
    void keepsProblemJsonWhenTheClientAcceptsOnlyPlainText() {
        web.get().uri("/crypto/sign").accept(MediaType.TEXT_PLAIN).exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void answersUnknownPathsWithANotFoundProblem() {
        web.get().uri("/nothing/here").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/not-found");
    }

    @Test
    void answersAnUnsupportedMethodWithAProblem() {
        web.delete().uri("/crypto/sign").exchange()
                .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/invalid-request");
    }

    @Test
    void neverShowsAStackTraceForAnUnexpectedError() {
        given(flow.sign(any(), any())).willReturn(Mono.error(new IllegalStateException("secret internals")));

        web.get().uri("/crypto/sign?message=hello").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().exists("Retry-After")
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("/problems/unavailable").doesNotContain("secret internals", "Exception", "at io."));
    }

    private static org.springframework.http.HttpHeaders headers(String accept) {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        if (accept != null) {
            headers.set("Accept", accept);
        }
        return headers;
    }
}
