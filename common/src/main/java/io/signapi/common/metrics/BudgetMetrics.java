package io.signapi.common.metrics;

import java.time.Duration;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.budget.BudgetSnapshot;
import io.signapi.common.budget.UpstreamBudget;

/**
 * The shared upstream budget as gauges, read from Redis without taking a slot ({@link UpstreamBudget#peek()}) at
 * most once a second: {@code budget.slots.used} (calls admitted in the counted span), {@code budget.slots.limit}
 * and {@code budget.next.slot} (seconds until a worker call could be admitted; 0 when a slot is free). Every
 * process that shares the budget reports the same figures; NaN while Redis cannot be read.
 */
public final class BudgetMetrics {

    /** How long one reading of the budget is reused. */
    public static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final CachedReading<BudgetSnapshot> reading;

    public BudgetMetrics(UpstreamBudget budget, int limit, MeterRegistry registry) {
        this.reading = new CachedReading<>("upstream budget", budget::peek, MAX_AGE);
        Gauge.builder("budget.slots.used", this, m -> m.value(s -> s.used()))
                .description("Upstream calls admitted by the shared budget within the current window (+ margin)")
                .register(registry);
        Gauge.builder("budget.slots.limit", () -> limit)
                .description("Upstream calls the shared budget admits in any window")
                .register(registry);
        Gauge.builder("budget.next.slot", this, m -> m.value(s -> s.untilNextSlot().toNanos() / 1e9))
                .description("Time until the shared budget could admit the next worker call (0: a slot is free)")
                .baseUnit("seconds")
                .register(registry);
        reading.refresh();
    }

    private double value(ToDoubleFunction<BudgetSnapshot> figure) {
        BudgetSnapshot snapshot = reading.get();
        return snapshot == null ? Double.NaN : figure.applyAsDouble(snapshot);
    }
}
