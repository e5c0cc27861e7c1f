package io.signapi.gateway.signing;

import java.util.Locale;

import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

/**
 * Counts signing requests by outcome ({@code gateway.requests}: cached, direct, queued, rejected, unavailable) and
 * times them ({@code gateway.request.latency}, with a percentile histogram), whatever layer produced the answer.
 */
@Component
class SignMetricsFilter implements WebFilter {

    private static final String SOURCE = SignMetricsFilter.class.getName() + ".source";
    private static final String PATH = "/crypto/sign";

    private final MeterRegistry registry;

    SignMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    static void recordSource(ServerWebExchange exchange, SignResult.Source source) {
        exchange.getAttributes().put(SOURCE, source);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!PATH.equals(exchange.getRequest().getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        Timer.Sample sample = Timer.start(registry);
        return chain.filter(exchange).doFinally(signal -> {
            String outcome = outcome(exchange);
            Counter.builder("gateway.requests").description("Signing requests by outcome").tag("outcome", outcome)
                    .register(registry).increment();
            sample.stop(Timer.builder("gateway.request.latency").description("Time to answer a signing request")
                    .tag("outcome", outcome).publishPercentileHistogram().register(registry));
        });
    }

    private static String outcome(ServerWebExchange exchange) {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        if (status == null || status.is5xxServerError()) {
            return "unavailable";
        }
        if (status.value() == 202) {
            return "queued";
        }
        if (status.is2xxSuccessful()) {
            SignResult.Source source = exchange.getAttribute(SOURCE);
            return (source != null ? source : SignResult.Source.CACHED).name().toLowerCase(Locale.ROOT);
        }
        return "rejected";
    }
}
