package io.signapi.common.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;




import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;


import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signapi.common.metrics.BudgetMetrics;
import io.signapi.testsupport.FreePorts;
import reactor.test.StepVerifier;

/** {@link UpstreamBudget#peek()} and the budget gauges: what is used, until when, and never a slot taken. */
class UpstreamBudgetPeekTest extends RedisBudgetTest {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration SPAN = Duration.ofMillis(2250);

    @Test
    void showsTheSlotsUsedAndTakesNone() {
        UpstreamBudget budget = TestRedis.budget(redis, TestRedis.props(3, WINDOW, 0));
        budget.tryAcquire(Caller.WORKER).block();
        budget.tryAcquire(Caller.GATEWAY).block();

        for (int i = 0; i < 5; i++) {
            StepVerifier.create(budget.peek())
                    .assertNext(s -> {
                        assertThat(s.used()).isEqualTo(2);
                        assertThat(s.limit()).isEqualTo(3);
                        assertThat(s.untilNextSlot()).isZero();
                    })
                    .verifyComplete();
        }
        assertThat(budget.tryAcquire(Caller.WORKER).block().granted()).as("the third slot is still free").isTrue();
    }

    @Test
    void aFullWindowTellsWhenTheOldestSlotLeavesIt() {
        UpstreamBudget budget = TestRedis.budget(redis, TestRedis.props(2, WINDOW, 0));
        budget.tryAcquire(Caller.WORKER).block();
        budget.tryAcquire(Caller.WORKER).block();
        Admission denied = budget.tryAcquire(Caller.WORKER).block();

        BudgetSnapshot full = budget.peek().block();

        assertThat(full.used()).isEqualTo(2);
        assertThat(full.untilNextSlot()).isPositive().isLessThanOrEqualTo(SPAN)
                .isLessThanOrEqualTo(denied.waitFor());
        await().atMost(SPAN.multipliedBy(3)).until(() -> budget.peek().block().used() == 0);
        assertThat(budget.peek().block().untilNextSlot()).isZero();
    }

    @Test
    void aPauseCountsAsTimeUntilTheNextSlot() {
        UpstreamBudget budget = TestRedis.budget(redis, TestRedis.props(5, WINDOW, 0));
        budget.pause().block();

        BudgetSnapshot paused = budget.peek().block();

        assertThat(paused.used()).isZero();
        assertThat(paused.untilNextSlot()).isGreaterThan(WINDOW.dividedBy(2)).isLessThanOrEqualTo(WINDOW);
    }

    @Test
    void gaugesFollowTheBudgetAndAreNaNWhileRedisCannotBeRead() {
        // A long window: the slot stays counted however late the gauges' cached reading is refreshed.
        UpstreamBudget budget = TestRedis.budget(redis, TestRedis.props(4, Duration.ofMinutes(1), 0));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new BudgetMetrics(budget, 4, registry);
        budget.tryAcquire(Caller.WORKER).block();

        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("budget.slots.used").gauge().value() == 1);
        assertThat(registry.get("budget.slots.limit").gauge().value()).isEqualTo(4);
        assertThat(registry.get("budget.next.slot").gauge().value()).isZero();

        LettuceConnectionFactory nowhere = TestRedis.factory(FreePorts.next());
        try {
            SimpleMeterRegistry unreadable = new SimpleMeterRegistry();
            new BudgetMetrics(TestRedis.budget(TestRedis.template(nowhere), TestRedis.props(4, WINDOW, 0)), 4,
                    unreadable);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                    .until(() -> Double.isNaN(unreadable.get("budget.slots.used").gauge().value()));
            assertThat(unreadable.get("budget.slots.limit").gauge().value()).isEqualTo(4);
        } finally {
            nowhere.destroy();
        }
    }
}
