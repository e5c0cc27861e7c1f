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
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
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

    static final Instant T0 = Instant.now();
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
    void freshScenario(TestInfo info) {
        env.simulator().configure("{\"outage\":\"none\"}");
        env.simulator().reset();
        outcome = "FAILED";
    }

    @AfterEach
    void summarise(TestInfo info) {
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
        r.assertAnswersWithinPromise(outcomes);
        var queued = r.assertAllSigned(outcomes);
        r.assertNotified(queued, true);
        r.assertNoViolations();
        outcome = "passed";
    }

    @Test
    @Order(2)
    void crashesOfEachServiceLoseNothing() {
        Run r = begin("2 crashes (SIGKILL)", "s2");
        List<Instant> notifierKills = new ArrayList<>();
        r.send(burst(r));
        await("the first answers").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> r.answered() >= 5);
        stack.kill("sign-worker");
        await("more answers").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> r.answered() >= 15);
        stack.kill("api-gateway");
        r.figures.put("in flight at the gateway kill", BURST - r.answered());
        stack.start("sign-worker");
        stack.start("api-gateway");
        List<Outcome> outcomes = r.outcomes();
        await("deliveries under way").atMost(Run.SETTLE).pollInterval(Duration.ofMillis(20))
                .until(() -> r.webhooks().size() + r.inbox.count() >= 10);
        stack.kill("notifier");
        notifierKills.add(Instant.now());
        stack.start("notifier");

        r.assertAnswersWithinPromise(outcomes);
        var queued = r.assertAllSigned(outcomes);
        Map<String, List<Instant>> duplicates = r.assertNotified(queued, false);
        // A duplicate can come only from a delivery in flight when a notifier was killed: its first copy arrived
        // within one delivery timeout before the kill (a mail's arrival is seen up to one inbox poll late).
        duplicates.forEach((what, copies) -> {
            Instant first = copies.getFirst();
            Duration timeout = what.startsWith("mail") ? MAIL_TIMEOUT.plus(Inbox.POLL) : WEBHOOK_TIMEOUT;
            assertThat(notifierKills).as("%s: copies at %s", what, copies).anySatisfy(kill -> assertThat(first)
                    .isBetween(kill.minus(timeout), kill.plus(what.startsWith("mail") ? Inbox.POLL : Duration.ZERO)));
        });
        r.assertNoViolations();
        outcome = "passed";
    }
}
