package io.signapi.gateway.correlation;

import java.util.UUID;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Puts {@code X-Request-Id} on every response: the request id where a handler set one, else a fresh UUID
 * that the handlers also use as the id of a newly accepted request.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIdFilter implements WebFilter {

    public static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        UUID fresh = UUID.randomUUID();
        exchange.getAttributes().put(ATTRIBUTE, fresh);
        exchange.getResponse().beforeCommit(() -> {
            if (!exchange.getResponse().getHeaders().containsHeader(HEADER)) {
                exchange.getResponse().getHeaders().set(HEADER, fresh.toString());
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    /** The fresh id this exchange was given (a random UUID), for use as a new request's id. */
    public static UUID of(ServerWebExchange exchange) {
        UUID id = exchange.getAttribute(ATTRIBUTE);
        return id != null ? id : UUID.randomUUID();
    }
}
