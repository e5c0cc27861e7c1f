package io.signapi.gateway.signing;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

import io.signapi.gateway.correlation.RequestIdFilter;
import reactor.core.publisher.Mono;

/** {@code GET} and {@code POST /crypto/sign}: validates, runs the sign flow and renders 200 or 202. */
@RestController
@RequestMapping("/crypto/sign")
class SignController {

    static final String STATUS_PATH = "/crypto/sign/requests/";

    private final SignRequestValidator validator;
    private final SignFlow flow;

    SignController(SignRequestValidator validator, SignFlow flow) {
        this.validator = validator;
        this.flow = flow;
    }

    @GetMapping
    Mono<ResponseEntity<Object>> signFromQuery(ServerWebExchange exchange) {
        MultiValueMap<String, String> query = exchange.getRequest().getQueryParams();
        List<String> repeated = new ArrayList<>();
        for (String name : List.of("message", "email", "webhook")) {
            List<String> values = query.get(name);
            if (values != null && values.size() > 1) {
                repeated.add(name);
            }
        }
        return sign(query.getFirst("message"), query.getFirst("email"), query.getFirst("webhook"), repeated, exchange);
    }

    @PostMapping
    Mono<ResponseEntity<Object>> signFromBody(@RequestBody(required = false) @Nullable SignBody body,
            ServerWebExchange exchange) {
        SignBody given = body != null ? body : new SignBody(null, null, null);
        return sign(given.message(), given.email(), given.webhook(), new ArrayList<>(), exchange);
    }

    private Mono<ResponseEntity<Object>> sign(@Nullable String message, @Nullable String email,
            @Nullable String webhook, List<String> repeated, ServerWebExchange exchange) {
        List<String> keys = exchange.getRequest().getHeaders().getOrEmpty(SignRequestValidator.IDEMPOTENCY_KEY);
        if (keys.size() > 1) {
            repeated.add(SignRequestValidator.IDEMPOTENCY_KEY);
        }
        String key = keys.isEmpty() ? null : keys.getFirst();
        return Mono.fromCallable(() -> validator.validate(message, email, webhook, key, repeated))
                .doOnNext(command -> SignMetricsFilter.recordHash(exchange, command.messageHash()))
                .flatMap(command -> flow.sign(command, RequestIdFilter.of(exchange)))
                .map(result -> render(result, exchange));
    }

    private ResponseEntity<Object> render(SignResult result, ServerWebExchange exchange) {
        return switch (result) {
            case SignResult.Signed signed -> {
                SignMetricsFilter.recordSource(exchange, signed.source());
                ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
                if (signed.requestId() != null) {
                    ok.header(RequestIdFilter.HEADER, signed.requestId().toString());
                }
                if (prefersJson(exchange.getRequest().getHeaders())) {
                    yield ok.contentType(MediaType.APPLICATION_JSON)
                            .body(new SignedBody(signed.message(), signed.signature()));
                }
                yield ok.contentType(MediaType.TEXT_PLAIN).body(signed.signature());
            }
            case SignResult.Accepted accepted -> {
                String path = STATUS_PATH + accepted.requestId();
                URI statusUrl = UriComponentsBuilder.fromUri(exchange.getRequest().getURI())
                        .replacePath(path).replaceQuery(null).fragment(null).build().toUri();
                yield ResponseEntity.accepted()
                        .location(URI.create(path))
                        .header(RequestIdFilter.HEADER, accepted.requestId().toString())
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(new AcceptedBody(accepted.requestId(), "PENDING", statusUrl,
                                accepted.estimatedReadyAt(), accepted.detail()));
            }
        };
    }

    /** JSON only when the client ranks it above plain text; a wildcard or no Accept header means plain text. */
    static boolean prefersJson(HttpHeaders headers) {
        double json = 0;
        double text = 0;
        for (MediaType type : headers.getAccept()) {
            double quality = type.getQualityValue();
            if (type.isWildcardType() || type.isCompatibleWith(MediaType.TEXT_PLAIN)) {
                text = Math.max(text, quality);
            } else if (type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                json = Math.max(json, quality);
            }
        }
        return json > text;
    }

    /** The 200 body with {@code Accept: application/json}. */
    record SignedBody(String message, String signature) {
    }

    /** The 202 body. */
    record AcceptedBody(UUID requestId, String status, URI statusUrl, Instant estimatedReadyAt, String detail) {
    }
}
