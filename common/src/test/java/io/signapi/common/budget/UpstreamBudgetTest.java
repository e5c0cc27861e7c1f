package io.signapi.common.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signapi.common.RedisKeys;
import io.signapi.common.budget.UpstreamBudget.Decision;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.testsupport.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;



import org.junit.jupiter.api.Test;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class UpstreamBudgetTest extends RedisBudgetTest {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final long SPAN_MICROS = 2_250_000;
    // The budget's own Redis bound is redis.timeout's default, 150 ms; the rest is slack for a loaded machine.
    private static final Duration ANSWER_BOUND = Duration.ofMillis(1500);

    private static UpstreamBudget budget(int limit, int reserve) {
        return TestRedis.budget(redis, TestRedis.props(limit, WINDOW, reserve));
    }

    private static List<Decision> takeUntilDenied(UpstreamBudget budget, Caller caller) {
        List<Decision> decisions = new ArrayList<>();
        Decision decision;
        do {
            decision = budget.decide(caller).block();
            decisions.add(decision);
        } while (decision.granted() && decisions.size() <= 20);
        return decisions;
    }

    @Test
    void tellsABlockedCallerExactlyWhenTheOldestSlotLeavesTheWindow() {
        UpstreamBudget budget = budget(3, 0);

        List<Decision> decisions = takeUntilDenied(budget, Caller.WORKER);

        assertThat(decisions).hasSize(4);
        Decision denied = decisions.get(3);
        assertThat(denied.granted()).isFalse();
        assertThat(denied.redisMicros() + denied.waitMicros())
                .isEqualTo(decisions.get(0).redisMicros() + SPAN_MICROS);
        assertThat(denied.admission().waitFor()).isEqualTo(Duration.ofNanos(denied.waitMicros() * 1000));
    }

    @Test
    void grantsAgainOnceTheWaitHasPassedAndTrimsTheLogInsteadOfLettingItExpire() {
        UpstreamBudget budget = budget(2, 0);
        Decision denied = takeUntilDenied(budget, Caller.WORKER).getLast();

        Decision retried = Mono.delay(denied.admission().waitFor()).then(budget.decide(Caller.WORKER)).block();

        assertThat(retried.granted()).isTrue();
        assertThat(retried.redisMicros()).isGreaterThanOrEqualTo(denied.redisMicros() + denied.waitMicros());
        // No expiry to evict: the script itself drops what has left the span.
        assertThat(TestRedis.pttl(factory, RedisKeys.BUDGET_UPSTREAM)).isEqualTo(-1);
        assertThat(redis.opsForZSet().rangeByScoreWithScores(RedisKeys.BUDGET_UPSTREAM, Range.unbounded())
                .map(entry -> entry.getScore().longValue()).collectList().block())
                .hasSizeBetween(1, 2)
                .allSatisfy(score -> assertThat(score).isGreaterThan(retried.redisMicros() - SPAN_MICROS));
    }

    @Test
    void leavesTheWorkerReserveFreeWhileTheWorkerIsWaiting() {
        UpstreamBudget budget = budget(10, 4);
        StepVerifier.create(budget.markWorkerWaiting()).verifyComplete();

        List<Decision> gateway = takeUntilDenied(budget, Caller.GATEWAY);
        List<Decision> worker = takeUntilDenied(budget, Caller.WORKER);

        assertThat(gateway).hasSize(7).last().extracting(Decision::granted).isEqualTo(false);
        assertThat(worker).hasSize(5).last().extracting(Decision::granted).isEqualTo(false);
        // Blocked by the reserve, the gateway waits at most until the worker's marker lapses (one window)...
        assertThat(gateway.getLast().waitMicros()).isPositive().isLessThanOrEqualTo(WINDOW.toNanos() / 1000);
        // ...exactly until the instant the marker holds, which lies one window ahead on the Redis clock.
        long markerMicros = Long.parseLong(redis.opsForValue().get(RedisKeys.BUDGET_WORKER_WAITING).block()) * 1000;
        assertThat(gateway.getLast().redisMicros() + gateway.getLast().waitMicros()).isEqualTo(markerMicros);
        assertThat(markerMicros - gateway.get(0).redisMicros()).isPositive()
                .isLessThanOrEqualTo(WINDOW.toNanos() / 1000);
        assertThat(TestRedis.pttl(factory, RedisKeys.BUDGET_WORKER_WAITING)).isEqualTo(-1);
    }

    @Test
    void tellsTheGatewayWhenAnEntryLeavesItsShareWhileTheWorkerKeepsWaiting() {
        UpstreamBudget budget = budget(10, 4);
        // A marker that outlives every entry: only entries leaving the span can unblock the gateway.
        markWorkerWaitingUntil(TestRedis.redisMillis(factory) + 30_000);

        List<Decision> gateway = takeUntilDenied(budget, Caller.GATEWAY);
        List<Decision> worker = takeUntilDenied(budget, Caller.WORKER);
        Decision gatewayAgain = budget.decide(Caller.GATEWAY).block();

        assertThat(gateway).hasSize(7);
        Decision denied = gateway.getLast();
        // Six in use, share six: the oldest must leave.
        assertThat(denied.redisMicros() + denied.waitMicros()).isEqualTo(gateway.get(0).redisMicros() + SPAN_MICROS);
        // Ten in use, share six: five must leave, so the fifth oldest (the worker's first would be sixth).
        assertThat(worker).hasSize(5);
        assertThat(gatewayAgain.redisMicros() + gatewayAgain.waitMicros())
                .isEqualTo(gateway.get(4).redisMicros() + SPAN_MICROS);
        // The worker itself waits only for the oldest.
        assertThat(worker.getLast().redisMicros() + worker.getLast().waitMicros())
                .isEqualTo(gateway.get(0).redisMicros() + SPAN_MICROS);
    }

    @Test
    void givesTheGatewayTheWholeWindowOnceTheWorkerStopsWaiting() {
        UpstreamBudget budget = budget(10, 4);
        budget.markWorkerWaiting().block();
        assertThat(takeUntilDenied(budget, Caller.GATEWAY)).hasSize(7);

        budget.clearWorkerWaiting().block();

        assertThat(takeUntilDenied(budget, Caller.GATEWAY)).hasSize(5);
        assertThat(redis.opsForZSet().size(RedisKeys.BUDGET_UPSTREAM).block()).isEqualTo(10);
    }

    @Test
    void dropsTheReserveOnceTheWorkerMarkerLapsesOnTheRedisClock() {
        UpstreamBudget budget = budget(10, 4);
        budget.markWorkerWaiting().block();
        assertThat(takeUntilDenied(budget, Caller.GATEWAY)).hasSize(7);
        long markerMillis = Long.parseLong(redis.opsForValue().get(RedisKeys.BUDGET_WORKER_WAITING).block());

        await().atMost(Duration.ofSeconds(5)).until(() -> TestRedis.redisMillis(factory) > markerMillis);
        List<Decision> afterExpiry = takeUntilDenied(budget, Caller.GATEWAY);

        // The lapsed marker is still there: its instant, not its presence, decides.
        assertThat(redis.opsForValue().get(RedisKeys.BUDGET_WORKER_WAITING).block())
                .isEqualTo(Long.toString(markerMillis));

        // Whether or not the first six have left the span by now, the gateway alone fills the whole limit.
        assertThat(afterExpiry.getLast().granted()).isFalse();
        assertThat(afterExpiry.size() - 1).isGreaterThanOrEqualTo(4);
        assertThat(redis.opsForZSet().size(RedisKeys.BUDGET_UPSTREAM).block()).isEqualTo(10);
    }

    @Test
    void givesTheGatewayTheWholeWindowWhileTheMarkerLiesInThePast() {
        UpstreamBudget budget = budget(10, 4);
        markWorkerWaitingUntil(TestRedis.redisMillis(factory) - 1);

        assertThat(takeUntilDenied(budget, Caller.GATEWAY)).hasSize(11);
    }

    @Test
    void restrictsTheGatewayToItsShareWhileTheMarkerLiesInTheFuture() {
        UpstreamBudget budget = budget(10, 4);
        long markerMillis = TestRedis.redisMillis(factory) + 30_000;
        markWorkerWaitingUntil(markerMillis);

        List<Decision> gateway = takeUntilDenied(budget, Caller.GATEWAY);

        assertThat(gateway).hasSize(7);
        // Share full, and the marker outlives the oldest entry: that entry leaving the span frees the gateway.
        assertThat(gateway.getLast().redisMicros() + gateway.getLast().waitMicros())
                .isEqualTo(gateway.get(0).redisMicros() + SPAN_MICROS);
    }

    @Test
    void keepsAnExpiryOnNoneOfTheBudgetKeys() {
        UpstreamBudget budget = budget(10, 4);
        budget.markWorkerWaiting().block();
        assertThat(budget.decide(Caller.WORKER).block().granted()).isTrue();
        budget.pause().block();
        budget.markWorkerWaiting().block();

        for (String key : List.of(RedisKeys.BUDGET_UPSTREAM, RedisKeys.BUDGET_WORKER_WAITING,
                RedisKeys.BUDGET_PAUSED_UNTIL)) {
            assertThat(TestRedis.pttl(factory, key)).as(key).isEqualTo(-1);
        }
    }

    private static void markWorkerWaitingUntil(long epochMillis) {
        redis.opsForValue().set(RedisKeys.BUDGET_WORKER_WAITING, Long.toString(epochMillis)).block();
    }

    @Test
    void admitsNobodyBeforeThePauseEnds() {
        UpstreamBudget budget = budget(10, 4);
        StepVerifier.create(budget.pause()).verifyComplete();
        long pausedUntilMicros = Long.parseLong(redis.opsForValue().get(RedisKeys.BUDGET_PAUSED_UNTIL).block()) * 1000;

        Decision worker = budget.decide(Caller.WORKER).block();
        Decision gateway = budget.decide(Caller.GATEWAY).block();
        Decision afterWait = waitUntilGranted(budget, worker);

        assertThat(worker.granted()).isFalse();
        assertThat(gateway.granted()).isFalse();
        assertThat(worker.redisMicros() + worker.waitMicros()).isEqualTo(pausedUntilMicros);
        assertThat(gateway.redisMicros() + gateway.waitMicros()).isEqualTo(pausedUntilMicros);
        assertThat(worker.waitMicros()).isBetween(WINDOW.toNanos() / 1000 - 500_000, WINDOW.toNanos() / 1000);
        assertThat(afterWait.redisMicros()).isGreaterThanOrEqualTo(pausedUntilMicros);
    }

    private static Decision waitUntilGranted(UpstreamBudget budget, Decision denied) {
        Decision decision = denied;
        for (int i = 0; i < 10 && !decision.granted(); i++) {
            decision = Mono.delay(decision.admission().waitFor()).then(budget.decide(Caller.WORKER)).block();
        }
        return decision;
    }

    @Test
    void neverShortensAPause() {
        UpstreamBudget budget = budget(10, 4);
        TestRedis.budget(redis, TestRedis.props(10, Duration.ofSeconds(4), 4)).pause().block();
        String longPause = redis.opsForValue().get(RedisKeys.BUDGET_PAUSED_UNTIL).block();

        budget.pause().block();

        assertThat(redis.opsForValue().get(RedisKeys.BUDGET_PAUSED_UNTIL).block()).isEqualTo(longPause);
        assertThat(TestRedis.pttl(factory, RedisKeys.BUDGET_PAUSED_UNTIL)).isEqualTo(-1);
    }

    @Test
    void failsClosedWhenRedisRefusesConnections() {
        assertFailsClosed(FreePorts.next());
    }

    @Test
    void failsClosedWhenRedisDoesNotAnswer() throws IOException {
        // Accepts TCP connections (through the backlog) but never speaks Redis.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertFailsClosed(silent.getLocalPort());
        }
    }

    private static void assertFailsClosed(int port) {
        LettuceConnectionFactory broken = TestRedis.factory(port);
        try {
            UpstreamProperties props = TestRedis.props(10, WINDOW, 4);
            UpstreamBudget budget = TestRedis.budget(TestRedis.template(broken), props);

            StepVerifier.create(budget.tryAcquire(Caller.WORKER))
                    .expectNext(Admission.deny(props.rateLimit().effectiveMargin()))
                    .expectComplete()
                    .verify(ANSWER_BOUND);
            StepVerifier.create(budget.tryAcquire(Caller.GATEWAY))
                    .expectNext(Admission.deny(Duration.ofMillis(250)))
                    .expectComplete()
                    .verify(ANSWER_BOUND);
            StepVerifier.create(budget.markWorkerWaiting().then(budget.clearWorkerWaiting()).then(budget.pause()))
                    .expectComplete()
                    .verify(ANSWER_BOUND.multipliedBy(3));
        } finally {
            broken.destroy();
        }
    }
}
