package io.signapi.simulator;

import java.time.Duration;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** Calls to a running simulator the way an upstream client makes them, for tests. */
public final class UpstreamCalls {

    public static final String KEY = "local-dev-key";

    private final WebClient client;

    public UpstreamCalls(String baseUrl) {
        this.client = WebClient.create(baseUrl);
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
