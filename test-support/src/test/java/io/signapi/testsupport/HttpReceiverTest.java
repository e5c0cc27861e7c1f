package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpReceiverTest {

    @RegisterExtension
    static final HttpReceiver hook = HttpReceiver.start();

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void recordsMethodPathHeadersBodyAndArrival() throws Exception {
        Instant before = Instant.now();

        HttpResponse<String> response = post("/hooks/a?x=1", "{\"id\":1}", Duration.ofSeconds(5));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(hook.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/hooks/a");
            assertThat(request.query()).isEqualTo("x=1");
            assertThat(request.header("WEBHOOK-ID")).isEqualTo("msg_1");
            assertThat(request.header("content-type")).isEqualTo("application/json");
            assertThat(request.bodyText()).isEqualTo("{\"id\":1}");
            assertThat(request.at()).isBetween(before, Instant.now());
        });
    }

    @Test
    void answersTheScriptInOrderThenTheDefault() throws Exception {
        hook.respond(500, 500).respondWith(429, Map.of("Retry-After", "7"));

        List<HttpResponse<String>> responses = List.of(post("/h", "1", Duration.ofSeconds(5)),
                post("/h", "2", Duration.ofSeconds(5)), post("/h", "3", Duration.ofSeconds(5)),
                post("/h", "4", Duration.ofSeconds(5)));

        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(500, 500, 429, 200);
        assertThat(responses.get(2).headers().firstValue("Retry-After")).contains("7");
        assertThat(hook.requests()).extracting(HttpReceiver.Request::bodyText).containsExactly("1", "2", "3", "4");
    }

    @Test
    void answersLateWhenToldAndNeverWhenHung() throws Exception {
        hook.respondAfter(Duration.ofMillis(400), 204).hang();

        long started = System.nanoTime();
        assertThat(post("/slow", "", Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));

        assertThatThrownBy(() -> post("/hung", "", Duration.ofMillis(300))).isInstanceOf(HttpTimeoutException.class);
        assertThat(hook.awaitRequests(2, Duration.ofSeconds(2))).extracting(HttpReceiver.Request::path)
                .containsExactly("/slow", "/hung");
    }

    @Test
    void resetForgetsRequestsAndScript() throws Exception {
        hook.respond(503).byDefault(202);
        post("/h", "", Duration.ofSeconds(5));

        hook.reset();

        assertThat(hook.requests()).isEmpty();
        assertThat(post("/h", "", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
        assertThat(hook.url("/x")).isEqualTo("http://127.0.0.1:" + hook.port() + "/x");
    }

    private HttpResponse<String> post(String path, String body, Duration timeout) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hook.url(path)))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("webhook-id", "msg_1")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
