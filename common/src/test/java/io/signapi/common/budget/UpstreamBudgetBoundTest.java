package io.signapi.common.budget;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.upstream.UpstreamProperties;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The budget's Redis bound is that of the bounded path it is given; on virtual time, against a silent Redis. */
class UpstreamBudgetBoundTest {

    private static final UpstreamProperties PROPS = TestRedis.props(10, Duration.ofSeconds(2), 4);
    private static final Admission FAILED_CLOSED = Admission.deny(PROPS.rateLimit().effectiveMargin());

    private final ReactiveStringRedisTemplate silent = mock(ReactiveStringRedisTemplate.class);

    @BeforeEach
    void redisNeverAnswers() {
        doReturn(Flux.never()).when(silent).execute(any(RedisScript.class), anyList(), anyList());
    }

    @Test
    void waitsForRedisAsLongAsTheGivenBoundedCallsAllowThenFailsClosed() {
        try (BoundedCalls calls = new BoundedCalls(Duration.ofSeconds(30), "budget-test-")) {
            UpstreamBudget budget = new UpstreamBudget(silent, PROPS, calls);

            StepVerifier.withVirtualTime(() -> budget.tryAcquire(Caller.GATEWAY))
                    .expectSubscription()
                    .expectNoEvent(Duration.ofSeconds(29))
                    .thenAwait(Duration.ofSeconds(1))
                    .expectNext(FAILED_CLOSED)
                    .verifyComplete();
            StepVerifier.withVirtualTime(budget::pause)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofSeconds(29))
                    .thenAwait(Duration.ofSeconds(1))
                    .verifyComplete();
        }
    }
}
