package io.signapi.gateway.warmup;

import java.util.function.Supplier;

import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Marks a warm-up request ({@link WarmUpFilter}): it runs through the same handlers as any request, while the steps
 * that leave a trace (the budget and the upstream, Kafka, Redis writes, metrics) see the mark and do nothing.
 */
public final class WarmUpMode {

    static final String ATTRIBUTE = WarmUpMode.class.getName();
    private static final String KEY = WarmUpMode.class.getName();
    static final Context CONTEXT = Context.of(KEY, Boolean.TRUE);

    private WarmUpMode() {
    }

    /** Whether the exchange is one of the gateway's own warm-up requests. */
    public static boolean of(ServerWebExchange exchange) {
        return exchange.getAttributes().containsKey(ATTRIBUTE);
    }

    /** {@code real} for a request, {@code stand-in} for a warm-up request (decided at subscription). */
    public static <T> Mono<T> unlessWarmingUp(Supplier<Mono<T>> real, Supplier<Mono<T>> standIn) {
        return Mono.deferContextual(context -> context.hasKey(KEY) ? standIn.get() : real.get());
    }
}
