package io.signapi.common.budget;

import java.time.Duration;

/**
 * The shared budget at one moment, as {@link UpstreamBudget#peek()} reads it.
 *
 * @param used         calls admitted within the counted span (window + margin) before now
 * @param limit        calls admitted in any window ({@code upstream.rate-limit.limit})
 * @param untilNextSlot the time until a worker call could be admitted; zero when a slot is free now
 */
public record BudgetSnapshot(int used, int limit, Duration untilNextSlot) {
}
