package io.signapi.gateway.load;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.problem.EarlyUnavailable;
import reactor.core.publisher.Mono;

/**
 * Keeps the 2-second promise under overload: at most {@code gateway.max-in-flight} requests are in progress at once
 * (the actuator's are not counted); one more is answered 503 {@code /problems/unavailable} with {@code Retry-After}
 * at once, before any handler ran, so nothing was published or recorded for it. Counts such requests
 * ({@code gateway.requests.shed}), shows the requests in progress ({@code gateway.requests.in.flight}) and measures
 * each request's queueing before it reached the gateway ({@code gateway.request.queueing}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class LoadSheddingFilter implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(LoadSheddingFilter.class);
    private static final String ACTUATOR = "/actuator";
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter shed;
    private final Timer queueing;

    LoadSheddingFilter(GatewayProperties gateway, MeterRegistry registry) {
        this.maxInFlight = gateway.maxInFlight();
        this.shed = Counter.builder("gateway.requests.shed")
                .description("Requests answered 503 at once because gateway.max-in-flight were in progress")
                .register(registry);
        Gauge.builder("gateway.requests.in.flight", inFlight, AtomicInteger::get)
                .description("Requests in progress, the actuator's excepted (bounded by gateway.max-in-flight)")
                .register(registry);
        this.queueing = Timer.builder("gateway.request.queueing")
                .description("From a request's arrival (connection accepted or first bytes read) to the gateway's"
                        + " first filter")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long arrival = Arrivals.take(exchange);
        if (arrival != -1) {
            queueing.record(Math.max(0, System.nanoTime() - arrival), TimeUnit.NANOSECONDS);
        }
        if (exchange.getRequest().getPath().pathWithinApplication().value().startsWith(ACTUATOR)) {
            return chain.filter(exchange);
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            shed.increment();
            return shed(exchange);
        }
        return chain.filter(exchange).doFinally(signal -> inFlight.decrementAndGet());
    }

    private Mono<Void> shed(ServerWebExchange exchange) {
        log.debug("shed {} {}: {} requests in flight", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath(), maxInFlight);
        return EarlyUnavailable.answer(exchange, "Too many requests are in progress; this one was not accepted."
                + " Retry after " + RETRY_AFTER.toSeconds() + " s.", RETRY_AFTER);
    }
}
