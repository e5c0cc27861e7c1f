package io.signapi.worker.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.UUID;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.testsupport.TopicRecords;
import io.signapi.common.event.EventJson;
import io.signapi.common.event.SignRequested;
import io.signapi.common.event.Topics;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.worker.SignWorkerApplication;
import io.signapi.worker.health.RejectedKey;
import io.signapi.worker.outbox.Outbox;
import io.signapi.testsupport.CleanSlate;
import io.signapi.testsupport.IntegrationTest;
import io.signapi.testsupport.Simulator;
import tools.jackson.databind.JsonNode;

/**
 * The application context the worker's integration tests share: the whole worker with an embedded KRaft broker,
 * the local Redis (db 3) and MariaDB ({@code signapi_it_worker}) and the simulator as the upstream, on a 2 s window.
 * Each test starts from an empty Redis db 3, empty tables and a fresh simulator; {@link #startWorker} adds further
 * instances on the same stores.
 */
@IntegrationTest(database = "signapi_it_worker", redisDatabase = 3, topics = Topics.SIGN_REQUESTS, partitions = 3)
public abstract class WorkerIntegrationTest {

    protected static final Duration WINDOW = Duration.ofSeconds(2);

    /**
     * One simulator for every worker test of the JVM that enforces the worker's own test budget (10 calls in any
     * 2 s), so that a breach shows as a 429 and a test can fill its window; fast and never failing unless a test
     * configures it otherwise.
     */
    private static final Simulator UPSTREAM = startedOnce(Simulator.perClass(Map.of(
            "upstream.rate-limit.limit", 10,
            "upstream.rate-limit.window", "2s",
            "simulator.failure-rate", 0,
            "simulator.latency-min", "5ms",
            "simulator.latency-max", "20ms",
            "simulator.slow-share", 0,
            "simulator.outage", "none")));

    protected final Simulator upstream = UPSTREAM;

    @Autowired
    private CleanSlate cleanSlate;

    @Autowired
    protected WebTestClient web;

    @Autowired
    protected ReactiveStringRedisTemplate redis;

    @Autowired
    protected DatabaseClient db;

    @Autowired
    protected KafkaTemplate<String, Object> kafka;

    @Autowired
    protected RejectedKey rejectedKey;

    @Autowired
    protected Outbox outbox;

    @Autowired
    protected ApplicationContext context;

    @Autowired
    protected KafkaListenerEndpointRegistry listeners;

    @Value("${spring.kafka.bootstrap-servers}")
    protected String bootstrapServers;

    @DynamicPropertySource
    static void upstreamSimulator(DynamicPropertyRegistry registry) {
        registry.add("upstream.base-url", UPSTREAM::baseUrl);
    }

    private static Simulator startedOnce(Simulator simulator) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> simulator.server().close(), "worker-simulator"));
        return simulator;
    }

    @BeforeEach
    void startFromACleanSlate() {
        outbox.hook(null);
        rejectedKey.accepted();
        cleanSlate.wipe();
        upstream.fresh();
        // After an earlier test's pause and resume, this test's requests are taken in as soon as they are sent.
        awaitIntake(listeners, "the shared worker");
    }

    /** Stops this context's call loop and intake, so that only the instances a test starts do the work. */
    protected void pauseSharedWorker() {
        context.getBean("callLoop", SmartLifecycle.class).stop();
        listeners.stop();
    }

    /** Undoes {@link #pauseSharedWorker()}. */
    protected void resumeSharedWorker() {
        listeners.start();
        SmartLifecycle loop = context.getBean("callLoop", SmartLifecycle.class);
        if (!loop.isRunning()) {
            loop.start();
        }
    }

    /** Another worker instance: its own application context on the same broker, database, Redis and upstream. */
    protected ConfigurableApplicationContext startWorker(String instanceId, Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("worker.instance-id", instanceId);
        all.put("server.port", 0);
        all.put("spring.kafka.bootstrap-servers", bootstrapServers);
        for (String store : List.of("spring.r2dbc.url", "spring.flyway.url", "spring.data.redis.database")) {
            all.putIfAbsent(store, context.getEnvironment().getRequiredProperty(store));
        }
        all.putIfAbsent("upstream.base-url", upstream.baseUrl());
        // As arguments: they win over application.yml, where default properties would lose to it.
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext started = new SpringApplicationBuilder(SignWorkerApplication.class)
                .profiles("test")
                .run(args);
        // Joining the group takes a rebalance; a test's clock (a request's age, a wait) starts once it has taken
        // part of sign.requests, not while the record waits for the join.
        try {
            awaitIntake(started.getBean(KafkaListenerEndpointRegistry.class), instanceId);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** Waits until the instance's intake has joined the group and holds partitions of sign.requests. */
    private static void awaitIntake(KafkaListenerEndpointRegistry registry, String instance) {
        MessageListenerContainer intake = registry.getListenerContainer("sign-requests");
        await("partitions of " + Topics.SIGN_REQUESTS + " assigned to " + instance)
                .atMost(Duration.ofSeconds(60))
                .until(() -> !intake.getAssignedPartitions().isEmpty());
    }

    /** For each message, its calls never overlap: each starts after the previous one was answered. */
    protected static void assertNoMessageCalledTwiceAtOnce(List<CallRecord> calls) {
        Map<String, List<CallRecord>> byMessage = calls.stream()
                .collect(Collectors.groupingBy(CallRecord::message));
        byMessage.forEach((message, ofMessage) -> {
            List<CallRecord> sorted = ofMessage.stream().sorted(Comparator.comparingLong(CallRecord::at)).toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i).at())
                        .as("a call began before the previous call of the same message was answered")
                        .isGreaterThanOrEqualTo(sorted.get(i - 1).completedAt());
            }
        });
    }

    /** The most calls the raw log shows within any window-long span. */
    protected static int mostCallsInAnyWindow(List<CallRecord> calls) {
        long[] at = calls.stream().mapToLong(CallRecord::at).sorted().toArray();
        int most = 0;
        for (int i = 0, j = 0; i < at.length; i++) {
            while (at[i] - at[j] >= WINDOW.toMillis()) {
                j++;
            }
            most = Math.max(most, i - j + 1);
        }
        return most;
    }

    /** A message no other test uses. */
    protected static String freshMessage() {
        return "message " + UUID.randomUUID();
    }

    /** A request as the gateway publishes it. */
    protected static SignRequested request(String message) {
        return new SignRequested(UUID.randomUUID(), message, null, null, null, Instant.now(), null);
    }

    /** Publishes to {@code sign.requests} keyed by message hash, as the gateway does; answers where it went. */
    protected RecordMetadata publish(SignRequested event) {
        return kafka.send(Topics.SIGN_REQUESTS, event.messageHash(), event).join().getRecordMetadata();
    }

    /** The calls the upstream received for {@code /crypto/sign}. */
    protected List<CallRecord> signCalls() {
        return upstream.calls().stream().filter(call -> call.path().equals("/crypto/sign")).toList();
    }

    /** Every {@code SignCompleted} published to {@code sign.results} so far, parsed. */
    protected List<JsonNode> results() {
        return TopicRecords.readAll(bootstrapServers, Topics.SIGN_RESULTS).stream()
                .map(record -> EventJson.mapper().readTree(record.value()))
                .toList();
    }

    /** The {@code SignCompleted} events of the given requests (the topic keeps earlier tests' events too). */
    protected List<JsonNode> resultsOf(List<SignRequested> requests) {
        Set<String> ids = requests.stream().map(r -> r.requestId().toString()).collect(Collectors.toSet());
        return results().stream().filter(e -> ids.contains(e.get("requestId").asString())).toList();
    }

    /** The {@code SignCompleted} events of one request. */
    protected List<JsonNode> resultsOf(UUID requestId) {
        return results().stream().filter(e -> e.get("requestId").asString().equals(requestId.toString())).toList();
    }

    /** A request's status column, or null while it is not recorded. */
    protected String status(UUID requestId) {
        return db.sql("SELECT status FROM sign_request WHERE id = :id").bind("id", requestId.toString())
                .map(row -> row.get("status", String.class)).one().block(Duration.ofSeconds(5));
    }

    /** One request's row as a map of column to value. */
    protected Map<String, Object> requestRow(UUID requestId) {
        return db.sql("SELECT * FROM sign_request WHERE id = :id").bind("id", requestId.toString())
                .fetch().one().block(Duration.ofSeconds(5));
    }

    /** Counts rows of a query answering one number in column {@code n}. */
    protected long count(String sql) {
        Number n = db.sql(sql).map(row -> row.get("n", Number.class)).one().block(Duration.ofSeconds(5));
        return n == null ? 0 : n.longValue();
    }
}
