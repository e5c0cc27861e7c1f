package io.signapi.gateway.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.event.Topics;
import io.signapi.testsupport.TopicRecords;
import io.signapi.testsupport.TopicRecords.Received;
import io.signapi.testsupport.CleanSlate;
import io.signapi.testsupport.IntegrationTest;
import io.signapi.testsupport.Simulator;

/**
 * The one application context most integration tests share: the whole gateway on a random port, an embedded KRaft
 * broker, the local Redis (db 2) and MariaDB ({@code signapi_it_gateway}), and the simulator as the upstream.
 * Each test starts from an empty Redis db 2, empty tables and a fresh simulator.
 */
@IntegrationTest(database = "signapi_it_gateway", redisDatabase = 2)
public abstract class GatewayIntegrationTest {

    /** The 2-second promise (docs/ARCHITECTURE.md, "HTTP API"). */
    protected static final Duration PROMISE = Duration.ofSeconds(2);

    protected final Simulator upstream = Simulator.shared();

    @Autowired
    protected WebTestClient web;

    @Autowired
    protected ReactiveStringRedisTemplate redis;

    @Autowired
    protected DatabaseClient db;

    @Autowired
    private CleanSlate cleanSlate;

    @Value("${spring.kafka.bootstrap-servers}")
    protected String bootstrapServers;

    @DynamicPropertySource
    static void upstreamSimulator(DynamicPropertyRegistry registry) {
        registry.add("upstream.base-url", () -> Simulator.shared().baseUrl());
    }

    @BeforeEach
    void startFromACleanSlate() {
        // Only this module's Redis database (2) and tables in signapi_it_gateway are emptied.
        cleanSlate.wipe();
        upstream.fresh();
    }

    /** A message no other test uses. */
    protected static String freshMessage() {
        return "message " + UUID.randomUUID();
    }

    /**
     * Waits until the gateway signs a fresh message directly again. After a refusal the gateway does not ask the
     * budget again before the moment the budget named, so a test that drained the budget ends here and hands the
     * next test a gateway that asks.
     */
    protected void awaitDirectSigningAgain() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> web.get()
                .uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(freshMessage()))
                .exchange().returnResult(String.class).getStatus().value() == 200);
    }

    /** The calls the upstream received for {@code /crypto/sign}. */
    protected long signCalls() {
        return upstream.calls().stream().filter(call -> call.path().equals("/crypto/sign")).count();
    }

    /** Every {@code SignRequested} record published so far. */
    protected List<Received> signRequests() {
        return TopicRecords.readAll(bootstrapServers, Topics.SIGN_REQUESTS);
    }

    /** The {@code SignRequested} records of one request. */
    protected List<Received> signRequestsFor(String requestId) {
        return signRequests().stream().filter(e -> e.json().get("requestId").asString().equals(requestId)).toList();
    }
}
