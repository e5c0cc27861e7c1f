package io.signapi.common.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.common.budget.UpstreamBudget.Decision;
import io.signapi.common.upstream.UpstreamProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Mono;

/**
 * Many limiter instances on separate connections, hammering the shared budget for five windows; the admissions are
 * recounted from the Redis timestamps the script recorded.
 */
class UpstreamBudgetContentionTest {

    private static final int CONNECTIONS = 4;
    private static final int THREADS = 16;
    private static final int LIMIT = 10;
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final int WINDOWS = 5;

    private final List<LettuceConnectionFactory> factories = new ArrayList<>();

    @BeforeEach
    void connect() {
        for (int i = 0; i < CONNECTIONS; i++) {
            factories.add(TestRedis.factory());
        }
        TestRedis.flush(factories.getFirst());
    }

    @AfterEach
    void disconnect() {
        factories.forEach(LettuceConnectionFactory::destroy);
    }

    @Test
    void neverAdmitsMoreThanLimitInAnyWindowAndKeepsTheBudgetBusy() throws Exception {
        UpstreamProperties props = TestRedis.props(LIMIT, WINDOW, 4);
        long windowMicros = WINDOW.toNanos() / 1000;
        long spanMicros = props.rateLimit().span().toNanos() / 1000;
        List<UpstreamBudget> budgets = factories.stream()
                .map(factory -> TestRedis.budget(TestRedis.template(factory), props))
                .toList();
        ConcurrentLinkedQueue<Long> grants = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> oversleepMicros = new ConcurrentLinkedQueue<>();
        AtomicInteger lostRaces = new AtomicInteger();
        AtomicInteger failedClosed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        long deadlineNanos = System.nanoTime() + WINDOW.multipliedBy(WINDOWS).toNanos();

        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            UpstreamBudget budget = budgets.get(t % CONNECTIONS);
            Caller caller = t % 2 == 0 ? Caller.WORKER : Caller.GATEWAY;
            running.add(threads.submit(() -> {
                start.await();
                long slotFreeAt = 0;
                while (System.nanoTime() < deadlineNanos) {
                    Decision decision = budget.decide(caller).block();
                    if (decision.redisMicros() == 0) {
                        failedClosed.incrementAndGet();
                    } else if (decision.granted()) {
                        grants.add(decision.redisMicros());
                        if (slotFreeAt > 0) {
                            oversleepMicros.add(decision.redisMicros() - slotFreeAt);
                        }
                        slotFreeAt = 0;
                        continue;
                    } else {
                        if (slotFreeAt > 0) {
                            lostRaces.incrementAndGet();
                        }
                        slotFreeAt = decision.redisMicros() + decision.waitMicros();
                    }
                    // A blocked caller sleeps exactly as long as the budget says, as the worker does.
                    Mono.delay(decision.admission().waitFor()).block();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : running) {
            future.get();
        }
        threads.shutdown();

        List<Long> sorted = new ArrayList<>(grants);
        Collections.sort(sorted);
        int maxInWindow = maxInSpan(sorted, windowMicros);
        int maxInWindowPlusMargin = maxInSpan(sorted, spanMicros);
        long elapsedMicros = WINDOW.multipliedBy(WINDOWS).toNanos() / 1000;
        List<Integer> spans = perConsecutiveSpan(sorted, spanMicros);
        int completeSpans = (int) (elapsedMicros / spanMicros);
        double perSpan = spans.stream().limit(completeSpans).mapToInt(Integer::intValue).average().orElse(0);
        List<Long> oversleeps = new ArrayList<>(oversleepMicros);
        Collections.sort(oversleeps);

        System.out.printf("""
                budget contention: %d connections, %d threads, limit %d, window %d ms, span %d ms, %d windows
                  admissions: %d in total; per span (window + margin) under contention: %.2f (mean of the %d complete
                  spans); per consecutive span from the first admission: %s
                  max admitted in any window: %d; in any window + margin: %d
                  blocked caller overslept its slot: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d wake-ups granted,
                  %d wake-ups lost the slot to another caller); fail-closed answers: %d
                %n""", CONNECTIONS, THREADS, LIMIT, WINDOW.toMillis(), spanMicros / 1000, WINDOWS, sorted.size(),
                perSpan, completeSpans, spans, maxInWindow, maxInWindowPlusMargin,
                percentile(oversleeps, 0.50), percentile(oversleeps, 0.99), percentile(oversleeps, 1.0),
                oversleeps.size(), lostRaces.get(), failedClosed.get());

        assertThat(maxInWindow).isLessThanOrEqualTo(LIMIT);
        assertThat(maxInWindowPlusMargin).isLessThanOrEqualTo(LIMIT);
        // While demand lasts every slot is reused soon after it leaves the span: at least one full limit per
        // complete span of the run (10 s / 2.25 s = 4 complete spans, while 5 bursts fit when wake-ups are prompt).
        assertThat(sorted.size()).isGreaterThanOrEqualTo(LIMIT * completeSpans);
        // A generous sanity bound only: a blocked caller wakes within one span of its slot.
        assertThat(percentile(oversleeps, 0.99)).isLessThan(spanMicros / 1000.0);
    }

    /** The most timestamps in any half-open span [t, t + length) starting at one of them. */
    private static int maxInSpan(List<Long> sorted, long length) {
        int max = 0;
        int end = 0;
        for (int start = 0; start < sorted.size(); start++) {
            while (end < sorted.size() && sorted.get(end) < sorted.get(start) + length) {
                end++;
            }
            max = Math.max(max, end - start);
        }
        return max;
    }

    private static List<Integer> perConsecutiveSpan(List<Long> sorted, long length) {
        List<Integer> counts = new ArrayList<>();
        if (sorted.isEmpty()) {
            return counts;
        }
        long first = sorted.getFirst();
        for (long t : sorted) {
            int bucket = (int) ((t - first) / length);
            while (counts.size() <= bucket) {
                counts.add(0);
            }
            counts.set(bucket, counts.get(bucket) + 1);
        }
        return counts;
    }

    private static double percentile(List<Long> sortedMicros, double quantile) {
        if (sortedMicros.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(quantile * sortedMicros.size()) - 1;
        return sortedMicros.get(Math.max(index, 0)) / 1000.0;
    }
}
