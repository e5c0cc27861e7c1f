package io.signapi.common.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.signapi.common.MessageHash;
import io.signapi.common.RedisKeys;
import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.config.RedisProperties;
import io.signapi.common.upstream.UpstreamProbe.Verdict;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;
import io.signapi.testsupport.FreePorts;
import io.signapi.testsupport.HttpReceiver;
import io.signapi.testsupport.SimulatorServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * The start-up probe against the in-process simulator, a server that is not the simulator and addresses where
 * nothing answers; on the local Redis (db 1) and MariaDB ({@code signapi_it_common}), as the apps run it.
 */
class UpstreamProbeTest {

    private static final String DATABASE = "signapi_it_common";
    private static final Duration WINDOW = Duration.ofSeconds(1);
    /** A name that is neither loopback nor known to DNS: only the test's resolver maps it (to 127.0.0.1). */
    private static final String SIMULATOR_NAME = "upstream-simulator.test";
    private static final String PRIVATE_NAME = "signer.internal";

    private static SimulatorServer simulator;
    private static LettuceConnectionFactory redisFactory;
    private static ReactiveStringRedisTemplate redis;
    private static BoundedCalls calls;
    private static DatabaseClient db;

    private final String instanceId = "probe-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startStores() {
        Flyway.configure()
                .dataSource("jdbc:mariadb://127.0.0.1:3306/" + DATABASE + "?createDatabaseIfNotExist=true", "root", "")
                .locations("classpath:db/migration").load().migrate();
        ConnectionFactory connections = ConnectionFactories.get("r2dbc:mysql://root@127.0.0.1:3306/" + DATABASE);
        db = DatabaseClient.create(connections);
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration("127.0.0.1", 6379);
        server.setDatabase(1);
        redisFactory = new LettuceConnectionFactory(server);
        redisFactory.afterPropertiesSet();
        redisFactory.start();
        redis = new ReactiveStringRedisTemplate(redisFactory);
        calls = new BoundedCalls(RedisProperties.defaults().timeout(), "probe-test-redis-");
        simulator = SimulatorServer.start(Map.of("upstream.rate-limit.window", "1s"));
    }

    @AfterAll
    static void stopStores() {
        simulator.close();
        calls.close();
        redisFactory.destroy();
    }

    @BeforeEach
    void emptyBudget() {
        redis.delete(RedisKeys.BUDGET_UPSTREAM, RedisKeys.BUDGET_PAUSED_UNTIL, RedisKeys.BUDGET_WORKER_WAITING)
                .block(Duration.ofSeconds(5));
    }

    @Test
    void allowsAShrunkenBudgetWhenTheSimulatorAnnouncesItselfUnderANameThatIsNotLoopback() {
        URI base = URI.create("http://" + SIMULATOR_NAME + ":" + simulator.port());
        assertThat(UpstreamProperties.isLoopback(base)).isFalse();

        Verdict verdict = probe(shrunken(base, Duration.ofSeconds(5)), SIMULATOR_NAME).probe()
                .block(Duration.ofSeconds(10));

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.SIMULATOR);
        assertThat(slotsTaken()).isEqualTo(1);
        assertThat(probeRows()).singleElement().satisfies(row -> {
            assertThat(row.get("caller")).isEqualTo("WORKER");
            assertThat(row.get("outcome")).isEqualTo("PROBE");
            assertThat(((Number) row.get("http_status")).intValue()).isEqualTo(200);
            assertThat(row.get("message_hash")).isEqualTo(MessageHash.of(""));
        });
        // GET / is not a sign call: the simulator's log and counters do not see it.
        assertThat(simulator.stats().calls()).isZero();
    }

    @Test
    void refusesAShrunkenBudgetWhenAPrivateNameAnswersWithoutTheAnnouncement() {
        try (HttpReceiver notTheSimulator = HttpReceiver.start()) {
            notTheSimulator.respondWith(200, Map.of("Content-Type", "text/plain"),
                    "Welcome to the signing API. Sign with GET /crypto/sign?message=...");
            // A name as a private network gives one (compose, a VPC): resolved here to a server that is not the simulator.
            URI base = URI.create("http://" + PRIVATE_NAME + ":" + notTheSimulator.port());
            UpstreamProbe probe = probe(shrunken(base, Duration.ofSeconds(5)), PRIVATE_NAME);

            assertThatThrownBy(probe::afterSingletonsInstantiated)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Refusing to start")
                    .hasMessageContaining("upstream.rate-limit.window=PT1S")
                    .hasMessageContaining("answered 200 without the simulator's announcement");
            assertThat(notTheSimulator.requests()).singleElement().satisfies(request -> {
                assertThat(request.method()).isEqualTo("GET");
                assertThat(request.path()).isEqualTo("/");
                assertThat(request.header("User-Agent")).isEqualTo("sign-worker/" + instanceId);
                assertThat(request.header("Authorization")).isNull();
            });
        }
        assertThat(slotsTaken()).isEqualTo(1);
        assertThat(probeRows()).singleElement()
                .satisfies(row -> assertThat(((Number) row.get("http_status")).intValue()).isEqualTo(200));
    }

    @Test
    void refusesAShrunkenBudgetOnLoopbackWhenNothingAnswersThere() {
        URI base = URI.create("http://127.0.0.1:" + FreePorts.next());

        Verdict verdict = probe(shrunken(base, Duration.ofMillis(600)), null).probe().block(Duration.ofSeconds(10));

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.REFUSED);
        assertThat(verdict.detail()).contains("gave no answer").contains("treated as the real upstream");
        assertThat(slotsTaken()).isEqualTo(1);
        assertThat(probeRows()).hasSize(1);
    }

    @Test
    void waitsForASimulatorThatIsStillStartingWithinTheTimeout() {
        int port = FreePorts.next();
        CompletableFuture<Verdict> verdict = probe(shrunken(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(20)), null).probe().toFuture();
        // Nothing listens yet: the probe keeps retrying the refused connection instead of deciding.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !verdict.isDone());

        try (SimulatorServer late = SimulatorServer.start(Map.of("server.port", port))) {
            await().atMost(Duration.ofSeconds(20)).until(verdict::isDone);
            assertThat(verdict.join().kind()).isEqualTo(Verdict.Kind.SIMULATOR);
        }
        assertThat(slotsTaken()).isEqualTo(1);
        assertThat(probeRows()).hasSize(1);
    }

    @Test
    void aGatewaysProbeGetsItsSlotPastTheWorkerReserveWithinThreeSpansAndNamesTheGateway() {
        UpstreamProperties props = shrunken(URI.create("http://127.0.0.1:" + simulator.port()),
                Duration.ofSeconds(5));
        UpstreamBudget budget = new UpstreamBudget(redis, props, calls);
        // A burst in flight as a restarted gateway finds it: the worker has due work for the next hour, and every
        // slot is taken. The entries are stamped ahead of now, so that they stay longer than one counted span: half
        // of them leave one and a half spans from now, the other half (the gateway's share) only after five seconds.
        Duration span = props.rateLimit().span();
        long nowMillis = System.currentTimeMillis();
        redis.opsForValue().set(RedisKeys.BUDGET_WORKER_WAITING, Long.toString(nowMillis + 3_600_000))
                .block(Duration.ofSeconds(5));
        int limit = props.rateLimit().limit();
        for (int i = 0; i < limit; i++) {
            long aheadMillis = i < limit / 2 ? span.toMillis() / 2 : 5_000;
            long stampMicros = (nowMillis + aheadMillis) * 1_000;
            redis.opsForZSet().add(RedisKeys.BUDGET_UPSTREAM, stampMicros + "-burst-" + i, stampMicros)
                    .block(Duration.ofSeconds(5));
        }
        Duration threeSpans = span.multipliedBy(UpstreamProbe.SLOT_WINDOWS);
        // A gateway's own call would wait past three spans behind the reserve; a worker's, more than one span.
        assertThat(budget.tryAcquire(Caller.GATEWAY).block(Duration.ofSeconds(5)).waitFor())
                .isGreaterThan(threeSpans);
        assertThat(budget.tryAcquire(Caller.WORKER).block(Duration.ofSeconds(5)).waitFor())
                .isGreaterThan(span)
                .isLessThan(threeSpans);
        UpstreamProbe probe = new UpstreamProbe(WebClient.builder(), props, "api-gateway/" + instanceId, budget, db,
                Caller.GATEWAY, instanceId, Duration.ofSeconds(2), Clock.systemUTC());

        probe.afterSingletonsInstantiated();

        // The probe's slot, besides the half of the burst that is still counted.
        assertThat(slotsTaken()).isEqualTo(limit / 2 + 1);
        assertThat(probeRows()).singleElement().satisfies(row -> {
            assertThat(row.get("caller")).isEqualTo("GATEWAY");
            assertThat(row.get("outcome")).isEqualTo("PROBE");
            assertThat(((Number) row.get("http_status")).intValue()).isEqualTo(200);
        });
    }

    @Test
    void makesNoCallWithTheRealBudget() {
        try (HttpReceiver realUpstream = HttpReceiver.start()) {
            UpstreamProperties real = new UpstreamProperties(URI.create(realUpstream.url()), "k", null,
                    RateLimit.defaults());

            Verdict verdict = probe(real, null).probe().block(Duration.ofSeconds(5));

            assertThat(verdict.kind()).isEqualTo(Verdict.Kind.NO_PROBE);
            assertThat(realUpstream.requests()).isEmpty();
        }
        assertThat(slotsTaken()).isZero();
        assertThat(probeRows()).isEmpty();
    }

    @Test
    void refusesAShrunkenBudgetWhenTheBudgetGrantsNoSlotAndMakesNoCall() {
        LettuceConnectionFactory nowhere = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", FreePorts.next()));
        nowhere.afterPropertiesSet();
        nowhere.start();
        try {
            UpstreamProperties props = shrunken(URI.create("http://127.0.0.1:" + simulator.port()),
                    Duration.ofSeconds(2));
            UpstreamBudget unreachable = new UpstreamBudget(new ReactiveStringRedisTemplate(nowhere), props, calls);
            UpstreamProbe probe = new UpstreamProbe(WebClient.builder(), props, "sign-worker/" + instanceId,
                    unreachable, db, Caller.WORKER, instanceId, Duration.ofSeconds(2), Clock.systemUTC());

            Verdict verdict = probe.probe().block(Duration.ofSeconds(10));

            assertThat(verdict.kind()).isEqualTo(Verdict.Kind.REFUSED);
            assertThat(verdict.detail()).contains("no budget slot for the start-up probe within 3 counted spans, "
                    + props.rateLimit().span().multipliedBy(3).toMillis() + " ms");
        } finally {
            nowhere.destroy();
        }
        assertThat(probeRows()).isEmpty();
    }

    private UpstreamProbe probe(UpstreamProperties props, String resolvedName) {
        WebClient.Builder builder = WebClient.builder();
        if (resolvedName != null) {
            HttpClient http = HttpClient.create().resolver(toLoopback(resolvedName));
            builder.clientConnector(new ReactorClientHttpConnector(http));
        }
        UpstreamBudget budget = new UpstreamBudget(redis, props, calls);
        return new UpstreamProbe(builder, props, "sign-worker/" + instanceId, budget, db, Caller.WORKER,
                instanceId, Duration.ofSeconds(2), Clock.systemUTC());
    }

    private static UpstreamProperties shrunken(URI base, Duration timeout) {
        return new UpstreamProperties(base, "k", timeout, new RateLimit(10, WINDOW, null, 5));
    }

    /** Resolves {@code name} to 127.0.0.1 and nothing else, as compose's DNS resolves a service name. */
    private static AddressResolverGroup<InetSocketAddress> toLoopback(String name) {
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
                return new InetNameResolver(executor) {
                    @Override
                    protected void doResolve(String host, Promise<InetAddress> promise) {
                        if (host.equals(name)) {
                            promise.setSuccess(InetAddress.getLoopbackAddress());
                        } else {
                            promise.setFailure(new UnknownHostException(host));
                        }
                    }

                    @Override
                    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                        if (host.equals(name)) {
                            promise.setSuccess(List.of(InetAddress.getLoopbackAddress()));
                        } else {
                            promise.setFailure(new UnknownHostException(host));
                        }
                    }
                }.asAddressResolver();
            }
        };
    }

    private long slotsTaken() {
        return redis.opsForZSet().size(RedisKeys.BUDGET_UPSTREAM).block(Duration.ofSeconds(5));
    }

    private List<Map<String, Object>> probeRows() {
        return db.sql("SELECT caller, outcome, http_status, message_hash FROM sign_attempt WHERE instance_id = :id")
                .bind("id", instanceId)
                .fetch().all().collectList().block(Duration.ofSeconds(5));
    }
}
