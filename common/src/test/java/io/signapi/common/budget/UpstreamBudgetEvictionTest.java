package io.signapi.common.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signapi.common.MessageHash;
import io.signapi.common.RedisKeys;
import io.signapi.common.budget.UpstreamBudget.Decision;
import io.signapi.common.cache.SignatureCacheCommands;
import io.signapi.common.config.CacheProperties;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.testsupport.FreePorts;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The limiter on its own Redis run as an LRU cache ({@code maxmemory 2mb}, {@code volatile-lru}) while cached
 * signatures flood it far past its memory: the signatures are evicted, the budget's keys never are, and the
 * admissions recounted from Redis timestamps still respect the pause, the worker reserve and the limit.
 */
class UpstreamBudgetEvictionTest {

    private static final int LIMIT = 10;
    private static final int RESERVE = 4;
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final Duration MARKER_WINDOW = Duration.ofSeconds(3);
    private static final Duration RUN = Duration.ofSeconds(5);
    private static final int CONNECTIONS = 4;
    private static final int THREADS = 8;
    private static final long MAXMEMORY_BYTES = 2L * 1024 * 1024;
    private static final String VALUE = "s".repeat(1024);
    private static final int FILL_BATCH = 250;
    private static final Duration FILL_PACE = Duration.ofMillis(50);

    private static Process server;
    private static final List<LettuceConnectionFactory> factories = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws IOException {
        int port = FreePorts.next();
        File log = new File("target/redis-eviction-" + port + ".log");
        log.getParentFile().mkdirs();
        server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--maxmemory", Long.toString(MAXMEMORY_BYTES),
                "--maxmemory-policy", "volatile-lru")
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        for (int i = 0; i < CONNECTIONS + 1; i++) {
            factories.add(TestRedis.factory(port));
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (var connection = factories.getFirst().getConnection()) {
                return "PONG".equals(connection.ping());
            }
        });
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        factories.forEach(LettuceConnectionFactory::destroy);
        if (server != null) {
            server.destroy();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void keepsTheBudgetWholeWhileCachedSignaturesAreEvictedPastMaxmemory() throws Exception {
        UpstreamProperties props = TestRedis.props(LIMIT, WINDOW, RESERVE);
        long windowMicros = WINDOW.toNanos() / 1000;
        long spanMicros = props.rateLimit().span().toNanos() / 1000;
        int share = LIMIT - RESERVE;
        List<UpstreamBudget> budgets = factories.subList(0, CONNECTIONS).stream()
                .map(factory -> TestRedis.budget(TestRedis.template(factory), props))
                .toList();
        // Nobody for one window, then the gateway held to its share for three windows from now.
        budgets.getFirst().pause().block();
        TestRedis.budget(TestRedis.template(factories.getFirst()), TestRedis.props(LIMIT, MARKER_WINDOW, RESERVE))
                .markWorkerWaiting().block();
        String pausedUntil = get(RedisKeys.BUDGET_PAUSED_UNTIL);
        String markerUntil = get(RedisKeys.BUDGET_WORKER_WAITING);
        long pausedUntilMicros = Long.parseLong(pausedUntil) * 1000;
        long markerUntilMicros = Long.parseLong(markerUntil) * 1000;

        SignatureCacheCommands signatures = new SignatureCacheCommands(TestRedis.template(factories.getLast()),
                new CacheProperties(Duration.ofDays(30)));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        AtomicInteger failedWrites = new AtomicInteger();
        ConcurrentLinkedQueue<Grant> grants = new ConcurrentLinkedQueue<>();
        AtomicInteger failedClosed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        long deadlineNanos = System.nanoTime() + RUN.toNanos();

        ExecutorService threads = Executors.newFixedThreadPool(THREADS + 1);
        Future<?> filler = threads.submit(() -> {
            start.await();
            // Paced (about 5,000 a second), so the flood lasts the whole run without starving the acquirers.
            while (running.get()) {
                long first = written.get();
                Flux.range(0, FILL_BATCH)
                        .flatMap(i -> signatures.put(MessageHash.of("evict-" + (first + i)), VALUE)
                                .onErrorResume(e -> {
                                    failedWrites.incrementAndGet();
                                    return Mono.empty();
                                }), 16)
                        .then(Mono.delay(FILL_PACE))
                        .block();
                written.addAndGet(FILL_BATCH);
            }
            return null;
        });
        List<Future<?>> acquirers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            UpstreamBudget budget = budgets.get(t % CONNECTIONS);
            Caller caller = t % 2 == 0 ? Caller.WORKER : Caller.GATEWAY;
            acquirers.add(threads.submit(() -> {
                start.await();
                while (System.nanoTime() < deadlineNanos) {
                    Decision decision = budget.decide(caller).block();
                    if (decision.redisMicros() == 0) {
                        failedClosed.incrementAndGet();
                    } else if (decision.granted()) {
                        grants.add(new Grant(decision.redisMicros(), caller));
                        continue;
                    }
                    Mono.delay(decision.admission().waitFor()).block();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> acquirer : acquirers) {
            acquirer.get();
        }
        running.set(false);
        filler.get();
        threads.shutdown();

        List<Grant> sorted = new ArrayList<>(grants);
        sorted.sort(Comparator.comparingLong(Grant::micros));
        long evicted = Long.parseLong(info("stats", "evicted_keys"));
        long usedMemory = Long.parseLong(info("memory", "used_memory"));
        long sigKeys;
        try (var connection = factories.getFirst().getConnection()) {
            sigKeys = connection.serverCommands().dbSize();
        }
        long gatewayWhileMarked = sorted.stream()
                .filter(g -> g.caller() == Caller.GATEWAY && g.micros() < markerUntilMicros).count();
        System.out.printf("""
                budget under eviction: maxmemory %d KiB (volatile-lru), %d sig: keys of 1 KiB written (%d MiB),
                  %d evicted, %d keys left, used memory %d KiB, %d writes refused
                  limit %d, window %d ms, span %d ms, %d threads on %d connections for %d ms
                  admissions: %d (%d gateway while the worker marker lay ahead); max in any window %d, in any
                  span %d, most in use at a gateway admission while marked %d (share %d); fail-closed answers %d
                %n""", MAXMEMORY_BYTES / 1024, written.get(), written.get() / 1024, evicted, sigKeys,
                usedMemory / 1024, failedWrites.get(), LIMIT, WINDOW.toMillis(), spanMicros / 1000, THREADS,
                CONNECTIONS, RUN.toMillis(), sorted.size(), gatewayWhileMarked, maxInSpan(sorted, windowMicros),
                maxInSpan(sorted, spanMicros), maxInUseAtMarkedGatewayGrant(sorted, spanMicros, markerUntilMicros),
                share, failedClosed.get());

        // The flood really went far past maxmemory and was evicted...
        assertThat(written.get() * VALUE.length()).isGreaterThan(5 * MAXMEMORY_BYTES);
        assertThat(evicted).isPositive();
        assertThat(sigKeys).isLessThan(written.get() / 2);
        signatures.put("probe", "signature").block();
        assertThat(TestRedis.pttl(factories.getFirst(), RedisKeys.sig("probe")))
                .isPositive().isLessThanOrEqualTo(Duration.ofDays(30).toMillis());
        // ...while every budget key survived, unchanged and without an expiry.
        assertThat(get(RedisKeys.BUDGET_PAUSED_UNTIL)).isEqualTo(pausedUntil);
        assertThat(get(RedisKeys.BUDGET_WORKER_WAITING)).isEqualTo(markerUntil);
        for (String key : List.of(RedisKeys.BUDGET_UPSTREAM, RedisKeys.BUDGET_WORKER_WAITING,
                RedisKeys.BUDGET_PAUSED_UNTIL)) {
            assertThat(TestRedis.pttl(factories.getFirst(), key)).as(key).isEqualTo(-1);
        }
        // The limiter kept deciding, and every decision respected the pause, the reserve and the limit.
        assertThat(failedClosed.get()).isZero();
        assertThat(sorted).hasSizeGreaterThanOrEqualTo(2 * LIMIT);
        assertThat(sorted.getFirst().micros()).isGreaterThanOrEqualTo(pausedUntilMicros);
        assertThat(gatewayWhileMarked).isPositive();
        assertThat(maxInUseAtMarkedGatewayGrant(sorted, spanMicros, markerUntilMicros)).isLessThan(share);
        assertThat(maxInSpan(sorted, windowMicros)).isLessThanOrEqualTo(LIMIT);
        assertThat(maxInSpan(sorted, spanMicros)).isLessThanOrEqualTo(LIMIT);
    }

    private record Grant(long micros, Caller caller) {
    }

    private static String get(String key) {
        return TestRedis.template(factories.getFirst()).opsForValue().get(key).block();
    }

    private static String info(String section, String field) {
        try (var connection = factories.getFirst().getConnection()) {
            return connection.serverCommands().info(section).getProperty(field);
        }
    }

    /** The most timestamps in any half-open span [t, t + length) starting at one of them. */
    private static int maxInSpan(List<Grant> sorted, long length) {
        int max = 0;
        int end = 0;
        for (int start = 0; start < sorted.size(); start++) {
            while (end < sorted.size() && sorted.get(end).micros() < sorted.get(start).micros() + length) {
                end++;
            }
            max = Math.max(max, end - start);
        }
        return max;
    }

    /** The most earlier admissions still in the span when a gateway caller was admitted before the marker lapsed. */
    private static int maxInUseAtMarkedGatewayGrant(List<Grant> sorted, long span, long markerUntilMicros) {
        int max = 0;
        int oldest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Grant grant = sorted.get(i);
            while (sorted.get(oldest).micros() <= grant.micros() - span) {
                oldest++;
            }
            if (grant.caller() == Caller.GATEWAY && grant.micros() < markerUntilMicros) {
                max = Math.max(max, i - oldest);
            }
        }
        return max;
    }
}
