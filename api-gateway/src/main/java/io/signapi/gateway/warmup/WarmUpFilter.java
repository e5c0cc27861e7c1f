package io.signapi.gateway.warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Recognises the gateway's own warm-up requests: only while it is open for the warm-up, only from loopback, and only
 * with the random token it was opened with, which never leaves the process. Closed, it only reads one field.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class WarmUpFilter implements WebFilter {

    static final String HEADER = "X-Gateway-Warm-Up";

    private final SecureRandom random = new SecureRandom();
    private volatile byte @Nullable [] token;

    /** Starts recognising warm-up requests; answers the token they must carry. */
    String open() {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        token = hex.getBytes(StandardCharsets.US_ASCII);
        return hex;
    }

    /** Stops recognising them: from now on every request is an ordinary one. */
    void close() {
        token = null;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        byte[] expected = token;
        if (expected == null || !isWarmUpRequest(exchange, expected)) {
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
