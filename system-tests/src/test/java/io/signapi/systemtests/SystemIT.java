package io.signapi.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signapi.systemtests.SignClient.Outcome;
import io.signapi.systemtests.SignClient.Sign;
import io.signapi.testsupport.HttpReceiver;
import io.signapi.testsupport.TcpProxy;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole system as separate OS processes, started, killed and stopped through {@code ./stack} on a home, port
 * base, database and Redis db of its own (beside a developer's {@code ./stack up}), with a 1-second rate-limit
 * window, a Redis of its own and MySQL behind a proxy the tests can pause. One stack serves every scenario; each
 * scenario uses messages, a mailbox and a webhook path of its own and resets the simulator's counters and log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemIT {

    static final Duration WINDOW = Duration.ofSeconds(1);
    static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(2);
    static final Duration MAIL_TIMEOUT = Duration.ofSeconds(3);
    static final int BURST = 60;
    /** The stack's budget margin at this window: the larger of window ÷ 60 and 250 ms. */
    static final Duration MARGIN = Duration.ofMillis(250);

    static final List<String> APPS = List.of("api-gateway", "sign-worker", "notifier");
    static final List<String> MYSQL_APPS = List.of("sign-worker", "notifier");
    static final Map<String, String> READINESS_PORTS = Map.of("api-gateway", "STACK_GATEWAY_PORT",
            "sign-worker", "STACK_WORKER_PORT", "notifier", "STACK_NOTIFIER_PORT");

    static final Instant T0 = Instant.now();
    /** Runs ./stack commands side by side (the common pool has a single thread on two cores). */
    static final ExecutorService COMMANDS = Executors.newVirtualThreadPerTaskExecutor();
    static OwnRedis redis;
    static TcpProxy mysql;
    static HttpReceiver hooks;
    static SignClient client;
    static Stack stack;
    static Run.Env env;
    static Map<String, String> ports;
    static String secret;

    Run run;
    String outcome = "FAILED";

    @BeforeAll
    static void startTheStack() {
        Path root = Path.of(System.getProperty("systemtests.root", "..")).toAbsolutePath().normalize();
        Path home = Path.of(System.getProperty("systemtests.stack-home", "target/stack")).toAbsolutePath().normalize();
        redis = OwnRedis.start(home.resolveSibling("redis"));
        mysql = TcpProxy.to(3306);
        hooks = HttpReceiver.start();
        client = new SignClient();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("JAVA_HOME", System.getProperty("java.home"));
        settings.put("STACK_HOME", home.toString());
        settings.put("STACK_PORT_BASE", System.getProperty("systemtests.port-base", "7400"));
        settings.put("STACK_DB", System.getProperty("systemtests.db", "signapi_system"));
        settings.put("STACK_REDIS_DB", System.getProperty("systemtests.redis-db", "12"));
        settings.put("REDIS_PORT", Integer.toString(redis.port()));
        settings.put("MYSQL_PORT", Integer.toString(mysql.port()));
        settings.put("STACK_START_TIMEOUT", "120");
        settings.put("UPSTREAM_RATE_LIMIT_WINDOW", WINDOW.toMillis() + "ms");
        // Short timeouts and leases so that a killed process's work is taken over within seconds, not minutes.
        settings.put("UPSTREAM_TIMEOUT", "2s");
        settings.put("NOTIFIER_WEBHOOK_TIMEOUT", WEBHOOK_TIMEOUT.toMillis() + "ms");
        settings.put("NOTIFIER_MAIL_TIMEOUT", MAIL_TIMEOUT.toMillis() + "ms");
        settings.put("NOTIFIER_DATABASE_TIMEOUT", "1s");
        settings.put("NOTIFIER_PUBLISH_TIMEOUT", "2s");
        settings.put("NOTIFIER_LEASE", "8s");
        settings.put("NOTIFIER_RETRY_SCHEDULE", "1s,2s,5s,10s");
        settings.put("WEBHOOK_SECRET", secret);
        settings.put("WEBHOOK_ALLOW_PRIVATE", "true");
        stack = new Stack(root, home, settings);
        stack.runQuietly("down");   // a run that died left its stack up
        stack.run("reset");         // stack down: only its data goes (Kafka log, database, Redis keys)
        Stack.Result up = stack.runQuietly("up");
        if (up.exit() != 0) {
            throw new AssertionError("./stack up failed:\n" + up.output());
        }
        System.out.printf("[system-tests] ./stack up in %.1f s%n", up.took().toMillis() / 1000.0);
        ports = stack.ports();
        env = new Run.Env(client, new SimulatorAdmin(port("STACK_SIMULATOR_PORT")), hooks,
                "127.0.0.1:" + ports.get("STACK_KAFKA_PORT"), port("STACK_MAIL_API_PORT"), port("STACK_GATEWAY_PORT"),
                secret);
    }

    @AfterAll
    static void stopTheStack() {
        try {
            if (stack != null) {
                Stack.Result down = stack.runQuietly("down");
                System.out.printf("[system-tests] ./stack down in %.1f s%n", down.took().toMillis() / 1000.0);
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (hooks != null) {
                hooks.close();
            }
            if (mysql != null) {
                mysql.close();
            }
            if (redis != null) {
                redis.close();
            }
            Summary.print(Duration.between(T0, Instant.now()));
        }
    }

    static int port(String name) {
        return Integer.parseInt(ports.get(name));
    }

    @BeforeEach
    void freshScenario() {
        // A scenario that failed half-way must not take the next ones with it.
        mysql.resume();
        if (!redis.answers()) {
            redis.start();
        }
        env.simulator().configure("{\"outage\":\"none\"}");
        env.simulator().reset();
        outcome = "FAILED";
    }

    @AfterEach
    void summarise() {
        if (run != null) {
            Summary.add(run.name, Duration.between(run.started, Instant.now()), outcome, run.figures());
            run.close();
        }
    }

    private Run begin(String name, String tag) {
        run = new Run(name, tag, env);
        return run;
    }

    private static List<Sign> burst(Run run) {
        return IntStream.range(0, BURST).mapToObj(run::notified).toList();
    }

    @Test
    @Order(1)
    void plainBurstIsSignedAndNotifiedOnceWithinTheLimit() {
        Run r = begin("1 plain burst", "s1");
        r.send(burst(r));
        List<Outcome> outcomes = r.outcomes();
        r.assertSignedAndNotifiedOnce(outcomes);
        outcome = "passed";
    }

    @Test
    @Order(2)
    void crashesOfEachServiceLoseNothing() {
        Run r = begin("2 crashes (SIGKILL)", "s2");
        List<Sign> all = burst(r);
        r.send(all.subList(0, BURST / 2));
        await("the first answers").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> r.answered() >= 5);
        stack.kill("sign-worker");
        CompletableFuture<Stack.Result> worker =
                CompletableFuture.supplyAsync(() -> stack.start("sign-worker"), COMMANDS);
        // The second half goes out over three seconds while the gateway is being killed (./stack kill takes one or
        // two): some are in flight at the kill, the rest find it gone, and the clients retry them until it is back.
        r.trickle(all.subList(BURST / 2, BURST), Duration.ofMillis(100));
        CompletableFuture<Stack.Result> kill = CompletableFuture.supplyAsync(() -> stack.kill("api-gateway"), COMMANDS);
        kill.join();
        stack.start("api-gateway");
        worker.join();
        List<Outcome> outcomes = r.outcomes();
        assertThat(outcomes).as("requests that got no answer while the gateway was down, and were retried")
                .anyMatch(o -> o.unanswered() > 0);
        await("deliveries under way").atMost(Run.SETTLE).pollInterval(Duration.ofMillis(20))
                .until(() -> r.webhooks().size() + r.inbox.count() >= 10);
        stack.kill("notifier");
        List<Instant> notifierKills = List.of(Instant.now());
        stack.start("notifier");

        r.assertSignedAndNotifiedDespite(outcomes, notifierKills, WEBHOOK_TIMEOUT, MAIL_TIMEOUT);
        outcome = "passed";
    }

    @Test
    @Order(3)
    void gracefulStopsDuringLoadLoseAndDuplicateNothing() {
        Run r = begin("3 graceful stops", "s3");
        List<Sign> all = burst(r);
        List<String> services = List.of("api-gateway", "sign-worker", "notifier", "kafka");
        int share = BURST / services.size();
        for (int i = 0; i < services.size(); i++) {
            r.trickle(all.subList(i * share, (i + 1) * share), Duration.ofMillis(60));
            Stack.Result stop = stack.stop(services.get(i));
            r.figures.put("stop " + services.get(i), stop.took().toMillis() + " ms");
            if (services.get(i).equals("kafka")) {
                // Every app needs Kafka: none is ready while it is stopped, and each is ready again once it is back.
                awaitReadiness("without Kafka", APPS, 503);
            }
            stack.start(services.get(i));
        }
        awaitReadiness("with Kafka back", APPS, 200);
        List<Outcome> outcomes = r.outcomes();
        r.assertSignedAndNotifiedOnce(outcomes);
        outcome = "passed";
    }

    @Test
    @Order(4)
    void anUpstreamOutageDelaysButLosesNothing() {
        Run r = begin("4 upstream outage", "s4");
        env.simulator().configure("{\"outage\":\"hang\"}");
        r.send(burst(r));
        Instant hangFrom = Instant.now();
        await("several windows of hanging calls").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> elapsed(hangFrom, 4) && env.simulator().stats().path("hung").asLong() > 0);
        long failures = env.simulator().stats().path("failures").asLong();
        env.simulator().configure("{\"outage\":\"error\"}");
        Instant errorFrom = Instant.now();
        await("several windows of errors").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> elapsed(errorFrom, 4) && env.simulator().stats().path("failures").asLong() > failures);
        env.simulator().configure("{\"outage\":\"none\"}");
        r.figures.put("hung calls", env.simulator().stats().path("hung").asLong());
        List<Outcome> outcomes = r.outcomes();
        r.assertSignedAndNotifiedOnce(outcomes);
        outcome = "passed";
    }

    @Test
    @Order(5)
    void aRedisRestartStopsUpstreamCallsButNotIntake() {
        Run r = begin("5 Redis restart", "s5");
        Instant down = sendAroundFault(r, redis::stop);
        await("Redis down for several windows, the second half answered").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> elapsed(down, 3) && r.answered() == BURST);
        Instant up = Instant.now();
        redis.start();
        List<Outcome> outcomes = r.outcomes();
        assertThat(outcomes.subList(BURST / 2, BURST)).as("accepted while Redis was down")
                .allSatisfy(o -> assertThat(o.attempts()).singleElement().extracting(SignClient.Attempt::status)
                        .isEqualTo(202));
        r.assertSignedAndNotifiedOnce(outcomes, calls -> {
            // A call admitted just before Redis went away may arrive up to one margin later.
            long quietFrom = down.plus(MARGIN).toEpochMilli();
            List<SimulatorAdmin.Call> whileDown = calls.stream()
                    .filter(c -> c.at() > quietFrom && c.at() < up.toEpochMilli()).toList();
            r.figures.put("calls while Redis was down", whileDown.size());
            assertThat(whileDown).as("upstream calls while Redis was down").isEmpty();
        });
        outcome = "passed";
    }

    @Test
    @Order(6)
    void anUnreachableMysqlDelaysButLosesNothing() {
        Run r = begin("6 MySQL pause", "s6");
        Instant paused = sendAroundFault(r, mysql::pause);
        // The worker and the notifier cannot work without MySQL; the gateway can (MySQL is optional on its path).
        awaitReadiness("without MySQL", MYSQL_APPS, 503);
        assertThat(readiness("api-gateway")).as("the gateway's readiness without MySQL").isEqualTo(200);
        await("MySQL unreachable for several windows, the second half answered").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> elapsed(paused, 4) && r.answered() == BURST);
        mysql.resume();
        awaitReadiness("with MySQL back", MYSQL_APPS, 200);
        List<Outcome> outcomes = r.outcomes();
        r.assertSignedAndNotifiedDespite(outcomes, List.of(paused), WEBHOOK_TIMEOUT, MAIL_TIMEOUT);
        outcome = "passed";
    }

    @Test
    @Order(7)
    void twoOfEachShareOneBudgetAndNeverWorkOneMessageTwice() {
        Run r = begin("7 scale-out (2 of each)", "s7");
        List<String> apps = List.of("api-gateway", "sign-worker", "notifier");
        apps.stream().map(app -> CompletableFuture.supplyAsync(() -> stack.start(app, "2"), COMMANDS)).toList()
                .forEach(CompletableFuture::join);
        try {
            int second = port("STACK_GATEWAY_PORT") + port("STACK_INSTANCE_PORT_STEP");
            r.send(IntStream.range(0, BURST)
                    .mapToObj(i -> r.notified(i, i % 2 == 0 ? port("STACK_GATEWAY_PORT") : second, "")).toList());
            List<Outcome> outcomes = r.outcomes();
            r.assertSignedAndNotifiedOnce(outcomes, calls -> {
                Map<String, Long> signedCalls = calls.stream().filter(c -> c.sign() && c.status() == 200)
                        .collect(java.util.stream.Collectors.groupingBy(SimulatorAdmin.Call::message,
                                java.util.stream.Collectors.counting()));
                assertThat(signedCalls).as("one successful sign call per message").hasSize(BURST)
                        .allSatisfy((message, count) -> assertThat(count).as(message).isEqualTo(1));
                Map<String, String> overlaps = SimulatorAdmin.overlaps(calls, "sign-worker/");
                r.figures.put("callers", calls.stream().map(SimulatorAdmin.Call::caller).distinct().count());
                r.figures.put("worker overlaps", overlaps.size());
                assertThat(overlaps).as("messages in flight at two workers at once").isEmpty();
            });
            outcome = "passed";
        } finally {
            // One after the other: each stop edits the stack's list of services.
            apps.forEach(app -> stack.stop(app, "2"));
        }
    }

    @Test
    @Order(8)
    void aTrickleWithRepeatsIsServedFromTheCacheAndStaysWithinTheLimit() {
        Run r = begin("8 trickle with repeats", "s8");
        List<Sign> signs = new ArrayList<>();
        IntStream.range(0, BURST).forEach(i -> {
            signs.add(r.plain(i, "-a"));
            signs.add(r.plain(i, "-b"));
        });
        java.util.Collections.shuffle(signs, new java.util.Random(8));
        r.trickle(signs, WINDOW.dividedBy(60));
        List<Outcome> outcomes = r.outcomes();
        long at200 = outcomes.stream().filter(o -> o.attempts().size() == 1 && o.status() == 200).count();
        r.figures.put("answered 200 at once", String.format("%d/%d (%.0f %%)", at200, outcomes.size(),
                100.0 * at200 / outcomes.size()));
        r.assertAllSigned(outcomes);
        r.assertNoViolations();
        r.assertAnswersWithinPromise(outcomes);
        outcome = "passed";
    }

    /**
     * Sends the first half of a burst and waits for its answers, then causes the {@code fault} and sends the second
     * half at once; answers the instant the fault was caused.
     */
    private static Instant sendAroundFault(Run run, Runnable fault) {
        List<Sign> all = burst(run);
        run.send(all.subList(0, BURST / 2));
        await("the first half answered").atMost(Duration.ofSeconds(10)).until(() -> run.answered() == BURST / 2);
        fault.run();
        Instant at = Instant.now();
        run.send(all.subList(BURST / 2, BURST));
        return at;
    }

    /** Waits until each app's {@code /actuator/health/readiness} answers {@code status} (200 UP, 503 DOWN). */
    private static void awaitReadiness(String when, List<String> apps, int status) {
        await("readiness " + status + " " + when + " of " + apps).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(apps.stream().collect(java.util.stream.Collectors.toMap(
                        app -> app, SystemIT::readiness))).allSatisfy((app, answered) -> assertThat(answered)
                        .as("readiness of %s %s", app, when).isEqualTo(status)));
    }

    private static int readiness(String app) {
        return Http.get("http://127.0.0.1:" + port(READINESS_PORTS.get(app)) + "/actuator/health/readiness").status();
    }

    private static boolean elapsed(Instant since, int windows) {
        return Duration.between(since, Instant.now()).compareTo(WINDOW.multipliedBy(windows)) >= 0;
    }
}
