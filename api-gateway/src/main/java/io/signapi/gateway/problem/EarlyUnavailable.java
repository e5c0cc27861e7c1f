package io.signapi.gateway.problem;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import io.signapi.common.event.EventJson;
import reactor.core.publisher.Mono;

/**
 * The {@code 503 /problems/unavailable} a web filter writes itself, before any handler ran (so nothing was published,
 * cached or recorded for the request), with {@code Retry-After}; in the gateway's field order for problems.
 */
public final class EarlyUnavailable {

    private EarlyUnavailable() {
    }

    /** Answers the exchange 503 with {@code detail} and {@code Retry-After: retryAfter} (whole seconds). */
    public static Mono<Void> answer(ServerWebExchange exchange, String detail, Duration retryAfter) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", ProblemTypes.UNAVAILABLE.toString());
        problem.put("title", "Service unavailable");
        problem.put("status", HttpStatus.SERVICE_UNAVAILABLE.value());
        problem.put("detail", detail);
        problem.put("instance", exchange.getRequest().getPath().value());
        byte[] body = EventJson.mapper().writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }
}
