package io.signapi.gateway.signing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.signapi.common.log.OutcomeLog;
import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.warmup.WarmUpMode;
import reactor.core.publisher.Mono;

/**
 * Counts signing requests by outcome ({@code gateway.requests}: cached, direct, queued, rejected, unavailable) and
 * times them ({@code gateway.request.latency}, with a percentile histogram), whatever layer produced the answer, and
 * writes the answer's outcome line ({@link OutcomeLog}); the gateway's own warm-up requests are neither counted nor logged.
 */
@Component
class SignMetricsFilter implements WebFilter {

    private static final String SOURCE = SignMetricsFilter.class.getName() + ".source";
    private static final String HASH = SignMetricsFilter.class.getName() + ".hash";
    static final String PATH = "/crypto/sign";

    private static final List<String> OUTCOMES = List.of("cached", "direct", "queued", "rejected", "unavailable");

    private final MeterRegistry registry;
    // Built once per outcome, not per request: this filter is on the cache-hit hot path.
    private final Map<String, Counter> requests = new HashMap<>();
    private final Map<String, Timer> latency = new HashMap<>();

    SignMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
        for (String outcome : OUTCOMES) {
            requests.put(outcome, Counter.builder("gateway.requests").description("Signing requests by outcome")
                    .tag("outcome", outcome).register(registry));
            latency.put(outcome, Timer.builder("gateway.request.latency")
                    .description("Time to answer a signing request").tag("outcome", outcome)
                    .publishPercentileHistogram().register(registry));
        }
    }

    static void recordSource(ServerWebExchange exchange, SignResult.Source source) {
        exchange.getAttributes().put(SOURCE, source);
    }

    /** The message hash of a valid request, for the outcome log line. */
    static void recordHash(ServerWebExchange exchange, String messageHash) {
        exchange.getAttributes().put(HASH, messageHash);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!PATH.equals(exchange.getRequest().getPath().pathWithinApplication().value())
                || WarmUpMode.of(exchange)) {
            return chain.filter(exchange);
        }
        Timer.Sample sample = Timer.start(registry);
        return chain.filter(exchange).doFinally(signal -> {
            String outcome = outcome(exchange);
            requests.get(outcome).increment();
            long nanos = sample.stop(latency.get(outcome));
            OutcomeLog.outcome("answer", exchange.getResponse().getHeaders().getFirst(RequestIdFilter.HEADER),
                    exchange.getAttribute(HASH), outcome, Duration.ofNanos(nanos), "status=" + status(exchange));
        });
    }

    private static int status(ServerWebExchange exchange) {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        return status == null ? 0 : status.value();
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
