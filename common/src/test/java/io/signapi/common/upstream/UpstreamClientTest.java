package io.signapi.common.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.signapi.common.upstream.UpstreamOutcome.Degraded;
import io.signapi.common.upstream.UpstreamOutcome.Failed;
import io.signapi.common.upstream.UpstreamOutcome.RateLimited;
import io.signapi.common.upstream.UpstreamOutcome.Rejected;
import io.signapi.common.upstream.UpstreamOutcome.Signed;
import io.signapi.common.upstream.VerifyOutcome.Verified;
import io.signapi.testsupport.FreePorts;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.test.StepVerifier;

/**
 * The client against a small in-test upstream that answers with the real upstream's recorded bodies; the messages
 * name the behaviour the stub should show.
 */
@ExtendWith(OutputCaptureExtension.class)
class UpstreamClientTest {

    private static final String KEY = "k3y-that-must-never-be-logged";
    private static final String SIGNATURE = "Zm9v".repeat(85) + "Zm8=";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final List<Received> received = new CopyOnWriteArrayList<>();
    private static DisposableServer upstream;
    private static UpstreamClient client;

    record Received(String path, String rawQuery, String message, String signature, String authorization) {
    }

    @BeforeAll
    static void startUpstream() {
        upstream = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes
                        .get("/crypto/sign", UpstreamClientTest::sign)
                        .get("/crypto/verify", UpstreamClientTest::verify))
                .bindNow();
        client = clientFor("http://127.0.0.1:" + upstream.port());
    }

    @AfterAll
    static void stopUpstream() {
        upstream.disposeNow();
    }

    @BeforeEach
    void forget() {
        received.clear();
    }

    private static UpstreamClient clientFor(String baseUrl) {
        return new UpstreamClient(WebClient.builder(), new UpstreamProperties(URI.create(baseUrl), KEY, null, null),
                "test/1");
    }

    private static Received record(HttpServerRequest request) {
        String uri = request.uri();
        int question = uri.indexOf('?');
        String rawQuery = question < 0 ? "" : uri.substring(question + 1);
        var params = new QueryStringDecoder(uri).parameters();
        Received r = new Received(request.fullPath(), rawQuery, first(params.get("message")),
                first(params.get("signature")), request.requestHeaders().get("Authorization"));
        received.add(r);
        return r;
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static org.reactivestreams.Publisher<Void> sign(HttpServerRequest request, HttpServerResponse response) {
        Received r = record(request);
        if (!KEY.equals(r.authorization())) {
            return answer(response, 401, "Unauthorized");
        }
        if (r.message() == null || r.message().isEmpty()) {
            return answer(response, 400, "Must specify a message.");
        }
        return switch (r.message().split(" ")[0]) {
            case "degraded" -> answer(response, 502,
                    "Error 502: Failed to sign message due to simulated service degradation.");
            case "limited" -> answer(response, 429, "Too Many Requests");
            case "limited-for" -> {
                response.header("Retry-After", "7");
                yield answer(response, 429, "Too Many Requests");
            }
            case "limited-until" -> {
                response.header("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30)));
                yield answer(response, 429, "Too Many Requests");
            }
            case "broken" -> answer(response, 500, "Internal Server Error");
            case "empty" -> answer(response, 200, "");
            case "hang" -> Mono.never();
            default -> answer(response, 200, SIGNATURE);
        };
    }

    private static org.reactivestreams.Publisher<Void> verify(HttpServerRequest request, HttpServerResponse response) {
        Received r = record(request);
        if (!KEY.equals(r.authorization())) {
            return answer(response, 401, "Unauthorized");
        }
        if (r.signature() == null || r.signature().isEmpty()) {
            return answer(response, 400, "Must specify a signature.");
        }
        return SIGNATURE.equals(r.signature()) ? answer(response, 200, "Signature verified as valid!")
                : answer(response, 400, "Error 400: Invalid signature for message!");
    }

    private static Mono<Void> answer(HttpServerResponse response, int status, String body) {
        return response.status(status).header("Content-Type", "text/plain").sendString(Mono.just(body)).then();
    }

    @Test
    void returnsTheSignatureExactlyAsGivenAndSendsTheRawKey() {
        StepVerifier.create(client.sign("hello", TIMEOUT)).expectNext(new Signed(SIGNATURE)).verifyComplete();

        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/crypto/sign");
            assertThat(r.authorization()).isEqualTo(KEY);
            assertThat(r.message()).isEqualTo("hello");
        });
    }

    @Test
    void encodesEveryCharacterOfTheMessageInTheQuery() {
        String message = "a&b=c+d e/f?g#h%i;j,k 😀 é \"quoted\" <tag> 100%";

        StepVerifier.create(client.sign(message, TIMEOUT)).expectNext(new Signed(SIGNATURE)).verifyComplete();

        Received r = received.getFirst();
        assertThat(r.message()).isEqualTo(message);
        assertThat(r.rawQuery()).startsWith("message=").doesNotContain("&", "+", " ", "#");
    }

    @Test
    void mapsA502ToDegraded() {
        StepVerifier.create(client.sign("degraded", TIMEOUT)).expectNext(new Degraded()).verifyComplete();
    }

    @Test
    void mapsA429ToRateLimitedWithOrWithoutRetryAfter() {
        StepVerifier.create(client.sign("limited", TIMEOUT)).expectNext(new RateLimited(null)).verifyComplete();
        StepVerifier.create(client.sign("limited-for", TIMEOUT))
                .expectNext(new RateLimited(Duration.ofSeconds(7)))
                .verifyComplete();
        StepVerifier.create(client.sign("limited-until", TIMEOUT))
                .assertNext(outcome -> assertThat(((RateLimited) outcome).retryAfter())
                        .isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30)))
                .verifyComplete();
    }

    @Test
    void mapsOtherClientErrorsToRejected() {
        StepVerifier.create(client.sign("", TIMEOUT))
                .expectNext(new Rejected(400, "Must specify a message."))
                .verifyComplete();
        StepVerifier.create(clientWithKey("wrong-key").sign("hello", TIMEOUT))
                .expectNext(new Rejected(401, "Unauthorized"))
                .verifyComplete();
    }

    private static UpstreamClient clientWithKey(String key) {
        return new UpstreamClient(WebClient.builder(), new UpstreamProperties(
                URI.create("http://127.0.0.1:" + upstream.port()), key, null, null), "test/1");
    }

    @Test
    void mapsServerErrorsAndEmptySignaturesToFailed() {
        StepVerifier.create(client.sign("broken", TIMEOUT))
                .expectNext(new Failed("upstream answered 500", 500))
                .verifyComplete();
        StepVerifier.create(client.sign("empty", TIMEOUT))
                .expectNext(new Failed("upstream answered 200 without a signature", 200))
                .verifyComplete();
    }

    @Test
    void givesUpOnAnUpstreamThatNeverAnswers() {
        StepVerifier.create(client.sign("hang", Duration.ofMillis(300)))
                .expectNext(new Failed("no answer within 300 ms"))
                .expectComplete()
                .verify(Duration.ofSeconds(2));
    }

    @Test
    void mapsARefusedConnectionToFailed() {
        int closedPort = FreePorts.next();

        StepVerifier.create(clientFor("http://127.0.0.1:" + closedPort).sign("secret text", TIMEOUT))
                .assertNext(outcome -> assertThat(outcome).isInstanceOfSatisfying(Failed.class,
                        failed -> assertThat(failed.reason()).startsWith("I/O error: ")
                                .containsIgnoringCase("refused").doesNotContain("secret", KEY)))
                .verifyComplete();
    }

    @Test
    void verifiesSignatures() {
        StepVerifier.create(client.verify("hello", SIGNATURE, TIMEOUT)).expectNext(new Verified(true))
                .verifyComplete();
        StepVerifier.create(client.verify("hello", "bm9wZQ==", TIMEOUT)).expectNext(new Verified(false))
                .verifyComplete();
        StepVerifier.create(client.verify("hello", "", TIMEOUT))
                .expectNext(new Rejected(400, "Must specify a signature."))
                .verifyComplete();

        assertThat(received.getFirst().signature()).isEqualTo(SIGNATURE);
        assertThat(received.getFirst().rawQuery()).contains("signature=" + SIGNATURE.replace("=", "%3D"));
    }

    @Test
    void neverRevealsTheKeyInLogsOutcomesOrMessages(CapturedOutput output) {
        int closedPort = FreePorts.next();
        List<Mono<?>> calls = List.of(
                client.sign("hello private text", TIMEOUT),
                client.sign("degraded private text", TIMEOUT),
                client.sign("limited-for private text", TIMEOUT),
                client.sign("broken private text", TIMEOUT),
                client.sign("hang private text", Duration.ofMillis(200)),
                clientWithKey(KEY + "-typo").sign("private text", TIMEOUT),
                clientFor("http://127.0.0.1:" + closedPort).sign("private text", TIMEOUT),
                client.verify("private text", "bm9wZQ==", TIMEOUT));

        List<?> outcomes = calls.stream().map(Mono::block).toList();

        assertThat(outcomes).hasSize(8).doesNotContainNull();
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.toString()).doesNotContain(KEY));
        assertThat(output.getAll()).contains("UpstreamClient").doesNotContain(KEY);
        assertThat(output.getAll().lines().filter(line -> line.contains("UpstreamClient")))
                .hasSize(8)
                .allSatisfy(line -> assertThat(line).doesNotContain("private text").contains("hash="));
        assertThat(new UpstreamProperties(URI.create("http://127.0.0.1:1"), KEY, null, null).toString())
                .doesNotContain(KEY);
    }

    @Test
    void readsRetryAfterInSecondsOrAsADate() {
        assertThat(UpstreamClient.retryAfter(null)).isNull();
        assertThat(UpstreamClient.retryAfter("soon")).isNull();
        assertThat(UpstreamClient.retryAfter(" 12 ")).isEqualTo(Duration.ofSeconds(12));
        assertThat(UpstreamClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    }
}
