package io.signapi.gateway.warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Recognises the gateway's own warm-up requests: only while the warm-up runs, only from loopback, and only with the
 * process's random warm-up token, which never leaves the process. Once the warm-up is over it only reads one flag.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class WarmUpFilter implements WebFilter {

    static final String HEADER = "X-Gateway-Warm-Up";

    private final WarmUp warmUp;

    WarmUpFilter(WarmUp warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!warmUp.running() || !isWarmUpRequest(exchange)) {
            return chain.filter(exchange);
        }
        exchange.getAttributes().put(WarmUpMode.ATTRIBUTE, Boolean.TRUE);
        return chain.filter(exchange).contextWrite(WarmUpMode.CONTEXT);
    }

    private boolean isWarmUpRequest(ServerWebExchange exchange) {
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return given != null && remote != null && remote.getAddress() != null
                && remote.getAddress().isLoopbackAddress()
                && MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII),
                        warmUp.token().getBytes(StandardCharsets.US_ASCII));
    }
}
