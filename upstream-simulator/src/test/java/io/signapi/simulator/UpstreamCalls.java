package io.signapi.simulator;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/** Calls to a running simulator the way an upstream client makes them, for tests. */
public final class UpstreamCalls {

    public static final String KEY = "local-dev-key";

    /** Own event loops and pool, so no test client depends on Reactor Netty's global resources. */
    private static final HttpClient HTTP = HttpClient.create(ConnectionProvider.create("simulator-tests", 64))
            .runOn(LoopResources.create("simulator-tests", 2, true));

    private final WebClient client;

    public UpstreamCalls(String baseUrl) {
        this.client = webClient(baseUrl);
    }

    /** Calls that name their caller in {@code User-Agent}, as the apps' upstream client does. */
    public UpstreamCalls(String baseUrl, String userAgent) {
        this.client = webClient(baseUrl).mutate().defaultHeader(HttpHeaders.USER_AGENT, userAgent).build();
    }

    /** A WebClient on the tests' own Netty resources. */
    public static WebClient webClient(String baseUrl) {
        return WebClient.builder().baseUrl(baseUrl).clientConnector(new ReactorClientHttpConnector(HTTP)).build();
    }

    /** {@code GET /crypto/sign}; every status comes back as a response, none as an error. */
    public Mono<ResponseEntity<String>> sign(String message) {
        return client.get()
                .uri(uri -> uri.path("/crypto/sign").queryParam("message", "{message}").build(message))
                .header("Authorization", KEY)
                .exchangeToMono(response -> response.toEntity(String.class));
    }

    public ResponseEntity<String> signNow(String message) {
        return sign(message).block(Duration.ofSeconds(10));
    }

    public Mono<ResponseEntity<String>> verify(String message, String signature) {
        return client.get()
                .uri(uri -> uri.path("/crypto/verify")
                        .queryParam("message", "{message}")
                        .queryParam("signature", "{signature}")
                        .build(message, signature))
                .header("Authorization", KEY)
                .exchangeToMono(response -> response.toEntity(String.class));
    }
}
