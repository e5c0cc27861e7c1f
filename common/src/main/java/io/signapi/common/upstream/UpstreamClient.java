package io.signapi.common.upstream;

import io.signapi.common.MessageHash;
import io.signapi.common.upstream.UpstreamOutcome.Degraded;
import io.signapi.common.upstream.UpstreamOutcome.Failed;
import io.signapi.common.upstream.UpstreamOutcome.NoResult;
import io.signapi.common.upstream.UpstreamOutcome.RateLimited;
import io.signapi.common.upstream.UpstreamOutcome.Rejected;
import io.signapi.common.upstream.UpstreamOutcome.Signed;
import io.signapi.common.upstream.VerifyOutcome.Verified;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.DefaultUriBuilderFactory;
import org.springframework.web.util.DefaultUriBuilderFactory.EncodingMode;
import org.springframework.web.util.UriBuilder;
import reactor.core.publisher.Mono;

/**
 * Calls the upstream's sign and verify endpoints and maps every result, error or timeout into an
 * {@link UpstreamOutcome} (sign) or a {@link VerifyOutcome} (verify); callers take a budget slot before each call.
 */
public class UpstreamClient {

    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);
    private static final String INVALID_SIGNATURE_BODY = "Invalid signature";

    private final WebClient webClient;
    private final String apiKey;

    /**
     * @param userAgent who calls, {@code <app>/<instance-id>} (e.g. {@code sign-worker/host-1a2b3c}): the
     *     simulator's call log records it, so a test can tell the callers apart
     */
    public UpstreamClient(WebClient.Builder builder, UpstreamProperties props, String userAgent) {
        // TEMPLATE_AND_VALUES encodes every reserved character of a message (&, =, +, …) in the query value.
        DefaultUriBuilderFactory uris = new DefaultUriBuilderFactory(props.baseUrl().toString());
        uris.setEncodingMode(EncodingMode.TEMPLATE_AND_VALUES);
        this.webClient = builder.clone().uriBuilderFactory(uris)
                .defaultHeader(HttpHeaders.USER_AGENT, userAgent)
                .build();
        this.apiKey = props.apiKey();
    }

    /** Asks the upstream to sign a message; completes within {@code timeout} and never errors. */
    public Mono<UpstreamOutcome> sign(String message, Duration timeout) {
        return call("sign", message, timeout,
                uri -> uri.path("/crypto/sign").queryParam("message", "{message}").build(message),
                (status, body) -> {
                    if (status.value() == 200) {
                        String signature = body.strip();
                        return signature.isEmpty() ? new Failed("upstream answered 200 without a signature", 200)
                                : new Signed(signature);
                    }
                    return null;
                }, UpstreamOutcome.class);
    }

    /** Asks the upstream whether a signature is valid for a message; completes within {@code timeout}, never errors. */
    public Mono<VerifyOutcome> verify(String message, String signature, Duration timeout) {
        return call("verify", message, timeout,
                uri -> uri.path("/crypto/verify").queryParam("message", "{message}")
                        .queryParam("signature", "{signature}").build(message, signature),
                (status, body) -> {
                    if (status.value() == 200) {
                        return new Verified(true);
                    }
                    if (status.value() == 400 && body.contains(INVALID_SIGNATURE_BODY)) {
                        return new Verified(false);
                    }
                    return null;
                }, VerifyOutcome.class);
    }

    /** Maps an endpoint's own answers; returns null for the statuses every endpoint shares. */
    private interface Specific<T> {
        T map(HttpStatusCode status, String body);
    }

    /** @param type the endpoint's outcome type, which every {@link NoResult} is one of */
    private <T> Mono<T> call(String operation, String message, Duration timeout,
            Function<UriBuilder, URI> uri, Specific<T> specific, Class<T> type) {
        String hash = MessageHash.of(message);
        return webClient.get()
                .uri(uri)
                .header(HttpHeaders.AUTHORIZATION, apiKey)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .defaultIfEmpty("")
                        .map(body -> {
                            T own = specific.map(response.statusCode(), body);
                            return own != null ? own : type.cast(shared(response, body));
                        }))
                .timeout(timeout)
                .onErrorResume(e -> Mono.just(type.cast(new Failed(describe(e, timeout)))))
                .doOnNext(outcome -> log.debug("upstream {} hash={} outcome={}", operation, hash, summary(outcome)));
    }

    /** The statuses every endpoint shares. */
    private static NoResult shared(ClientResponse response, String body) {
        HttpStatusCode status = response.statusCode();
        int code = status.value();
        if (code == 502) {
            return new Degraded();
        }
        if (code == 429) {
            return new RateLimited(retryAfter(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER)));
        }
        if (status.is4xxClientError()) {
            return new Rejected(code, body);
        }
        return new Failed("upstream answered " + code, code);
    }

    /** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        if (value.chars().allMatch(Character::isDigit)) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration left = Duration.between(Instant.now(), at);
            return left.isNegative() ? Duration.ZERO : left;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A failure reason without the request URL (it holds the message) and without headers (they hold the key). */
    private static String describe(Throwable error, Duration timeout) {
        if (error instanceof TimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root == error && error.getClass().getName().startsWith("org.springframework.web")
                ? null : root.getMessage();
        return "I/O error: " + root.getClass().getSimpleName() + (detail == null ? "" : ": " + detail);
    }

    private static String summary(Object outcome) {
        return switch (outcome) {
            case Signed signed -> "Signed";
            case Rejected rejected -> "Rejected " + rejected.status();
            default -> outcome.toString();
        };
    }
}
