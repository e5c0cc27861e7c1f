package io.signapi.worker.stats;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.signapi.common.backlog.BacklogStats;

/** The worker's Micrometer meters; the backlog gauges read the last figures {@link BacklogPublisher} computed. */
@Component
public class WorkerMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> calls = new ConcurrentHashMap<>();
    private final DistributionSummary attemptsPerSignature;
    private final Timer signatureLatency;
    private final Counter rateLimited;
    private final AtomicReference<Figures> figures = new AtomicReference<>(Figures.NONE);
    private final AtomicReference<double[]> beliefs = new AtomicReference<>(new double[] {0.5, 0, 0, 0});

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.attemptsPerSignature = DistributionSummary.builder("worker.attempts.per.signature")
                .description("Upstream calls a message needed until it was signed")
                .publishPercentiles(0.5, 0.9)
                .register(registry);
        this.signatureLatency = Timer.builder("worker.signature.latency")
                .description("From a request's acceptance to its signature")
                .publishPercentileHistogram()
                .register(registry);
        this.rateLimited = Counter.builder("worker.rate.limited")
                .description("Upstream 429 answers: each one is a breach of the upstream's limit")
                .register(registry);
        Gauge.builder("worker.pending.requests", figures, f -> f.get().pendingRequests())
                .description("Requests accepted and not yet finished").register(registry);
        Gauge.builder("worker.due.messages", figures, f -> f.get().dueMessages())
                .description("Distinct messages waiting for a signature").register(registry);
        Gauge.builder("worker.oldest.pending", figures, f -> f.get().oldestPendingSeconds())
                .description("Age of the oldest pending request").baseUnit("seconds").register(registry);
        Gauge.builder("worker.outbox.lag", figures, f -> f.get().outboxLagSeconds())
                .description("Age of the oldest finished request whose result is not yet published")
                .baseUnit("seconds").register(registry);
        Gauge.builder("worker.calls.per.signature", figures, f -> f.get().callsPerSignature())
                .description("Recent upstream calls per signature obtained, as published in backlog:stats")
                .register(registry);
        Gauge.builder("worker.first.call.success.rate", beliefs, b -> b.get()[0])
                .description("The slot policy's belief: the share of first calls that sign").register(registry);
        String[] percentiles = {"10", "50", "90"};
        for (int i = 0; i < percentiles.length; i++) {
            int index = i + 1;
            Gauge.builder("worker.recovery.estimate", beliefs, b -> b.get()[index])
                    .description("The slot policy's belief: a quantile of how long a degradation lasts from the"
                            + " first failure, in windows")
                    .tag("percentile", percentiles[i]).baseUnit("windows").register(registry);
        }
        // Every outcome's series exists from the start at zero, so rates and dashboards see it before the first call.
        for (String outcome : List.of("signed", "degraded", "failed", "rate_limited", "rejected")) {
            callCounter(outcome);
        }
    }

    private Counter callCounter(String outcome) {
        return calls.computeIfAbsent(outcome, o -> Counter.builder("upstream.calls")
                .description("Upstream calls by caller and outcome")
                .tag("caller", "worker").tag("outcome", o)
                .register(registry));
    }

    /** One upstream call made by this worker, by outcome ({@code signed}, {@code degraded}, …). */
    public void upstreamCall(String outcome) {
        callCounter(outcome).increment();
        if ("rate_limited".equals(outcome)) {
            rateLimited.increment();
        }
    }

    /** A message was signed after {@code attempts} calls. */
    public void signed(long attempts) {
        attemptsPerSignature.record(attempts);
    }

    /** A request's signature became known {@code latency} after its acceptance. */
    public void signatureLatency(Duration latency) {
        signatureLatency.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    /** What the slot policy believes now: the first-call success rate and the recovery estimate's quantiles. */
    public void beliefs(double firstCallSuccessRate, double p10, double p50, double p90) {
        beliefs.set(new double[] {firstCallSuccessRate, p10, p50, p90});
    }

    void figures(BacklogStats stats, double oldestPendingSeconds, double outboxLagSeconds) {
        figures.set(new Figures(stats.pendingRequests(), stats.dueMessages(), oldestPendingSeconds, outboxLagSeconds,
                stats.callsPerSignature()));
    }

    private record Figures(long pendingRequests, long dueMessages, double oldestPendingSeconds,
            double outboxLagSeconds, double callsPerSignature) {
        static final Figures NONE = new Figures(0, 0, 0, 0, 1);
    }
}
