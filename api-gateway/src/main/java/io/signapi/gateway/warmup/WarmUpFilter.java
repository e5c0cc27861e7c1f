package io.signapi.gateway.warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.gateway.problem.EarlyUnavailable;

import reactor.core.publisher.Mono;

/**
 * Recognises the gateway's own warm-up requests: only while it is open for the warm-up, only from loopback, and only
 * with the random token it was opened with, which never leaves the process. Closed, it only reads one field.
 * While it holds (from the context's start until the warm-up has finished), every other request but the actuator's
 * is answered 503 {@code /problems/unavailable} with {@code Retry-After} at once: a cold gateway would answer it
 * slowly, and the 2-second promise holds from the first request ({@code gateway.warm-up.refused} counts them).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class WarmUpFilter implements WebFilter {

    static final String HEADER = "X-Gateway-Warm-Up";
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final String ACTUATOR = "/actuator";

    private final SecureRandom random = new SecureRandom();
    private final Counter refused;
    private volatile byte @Nullable [] token;
    private volatile boolean holding;

    WarmUpFilter(MeterRegistry registry) {
        this.refused = Counter.builder("gateway.warm-up.refused")
                .description("Requests answered 503 at once because the gateway had not finished its warm-up")
                .register(registry);
    }

    /** Refuses ordinary requests until {@link #close()}: the warm-up is about to run. */
    void hold() {
        holding = true;
    }

    /** Starts recognising warm-up requests; answers the token they must carry. */
    String open() {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        token = hex.getBytes(StandardCharsets.US_ASCII);
        return hex;
    }

    /** Stops recognising them and stops holding: from now on every request is an ordinary one. */
    void close() {
        token = null;
        holding = false;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        byte[] expected = token;
        if (expected == null || !isWarmUpRequest(exchange, expected)) {
            if (holding && !exchange.getRequest().getPath().pathWithinApplication().value().startsWith(ACTUATOR)) {
                refused.increment();
                return EarlyUnavailable.answer(exchange, "The gateway has just started and is warming up; this"
                        + " request was not accepted. Retry after " + RETRY_AFTER.toSeconds() + " s.", RETRY_AFTER);
            }
            return chain.filter(exchange);
        }
        exchange.getAttributes().put(WarmUpMode.ATTRIBUTE, Boolean.TRUE);
        return chain.filter(exchange).contextWrite(WarmUpMode.CONTEXT);
    }

    private static boolean isWarmUpRequest(ServerWebExchange exchange, byte[] expected) {
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return given != null && remote != null && remote.getAddress() != null
                && remote.getAddress().isLoopbackAddress()
                && MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), expected);
    }
}
