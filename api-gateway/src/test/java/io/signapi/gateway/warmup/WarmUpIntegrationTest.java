package io.signapi.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.event.Topics;
import io.signapi.testsupport.CleanSlate;
import io.signapi.testsupport.IntegrationTest;
import io.signapi.testsupport.Simulator;
import io.signapi.testsupport.TopicRecords;

/**
 * The warm-up at start-up, in a context of its own: Redis db 2, the tables and the simulator's log are emptied
 * once the context has started and before the warm-up begins, so whatever is found afterwards came from it.
 */
@IntegrationTest(database = "signapi_it_gateway", redisDatabase = 2)
@TestPropertySource(properties = {"gateway.warm-up.requests=1500", "gateway.warm-up.concurrency=4"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmUpIntegrationTest {

    private final Simulator upstream = Simulator.shared();

    @Autowired
    WebTestClient web;

    @Autowired
    WarmUp warmUp;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    DatabaseClient db;

    @Autowired
    MeterRegistry meters;

    @Value("${spring.kafka.bootstrap-servers}")
    String bootstrapServers;

    @DynamicPropertySource
    static void upstreamSimulator(DynamicPropertyRegistry registry) {
        registry.add("upstream.base-url", () -> Simulator.shared().baseUrl());
    }

    @Test
    @Order(1)
    void reportsNotReadyUntilTheWarmUpHasFinished() {
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(503)
                .expectBody()
                .jsonPath("$.status").isEqualTo("DOWN")
                .jsonPath("$.components.warmUp.status").isEqualTo("DOWN")
                .jsonPath("$.components.kafka.status").isEqualTo("UP");
        assertThat(warmUp.finished()).isFalse();

        // An ordinary request meanwhile is refused at once, and leaves no trace (see the next test).
        long sent = System.nanoTime();
        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build("during the warm-up"))
                .header(WarmUpFilter.HEADER, "guess")
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectHeader().contentType("application/problem+json")
                .expectBody()
                .jsonPath("$.type").isEqualTo("/problems/unavailable")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("warming up"));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(2));
        assertThat(warmUp.finished()).isFalse();
        assertThat(meters.counter("gateway.warm-up.refused").count()).isEqualTo(1);

        awaitReady();

        assertThat(warmUp.finished()).isTrue();
        assertThat(warmUp.statuses().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1500);
        web.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        assertThat(meters.counter("gateway.warm-up.refused").count()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void coversTheHotPathsWithoutCallingTheUpstreamOrLeavingATrace() {
        awaitReady();

        // Cache hits, 202s and each kind of input fault; no failure and no 503.
        assertThat(warmUp.statuses()).containsOnlyKeys(200, 202, 400, 413, 422);
        assertThat(warmUp.statuses().get(202)).isGreaterThan(10);
        assertThat(upstream.calls()).isEmpty();
        assertThat(redis.execute(connection -> connection.serverCommands().dbSize()).blockLast()).isZero();
        assertThat(TopicRecords.readAll(bootstrapServers, Topics.SIGN_REQUESTS)).isEmpty();
        assertThat(TopicRecords.readAll(bootstrapServers, Topics.SIGN_SIGNATURES)).isEmpty();
        assertThat(rows("sign_attempt")).isZero();
        assertThat(rows("sign_request")).isZero();
        assertThat(meters.find("gateway.requests").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(meters.find("gateway.direct.calls").counters()).extracting(Counter::count).containsOnly(0.0);
    }

    @Test
    @Order(3)
    void treatsTheWarmUpHeaderAsAnyOtherOnceReady() {
        awaitReady();

        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build("after the warm-up"))
                .header(WarmUpFilter.HEADER, "guess")
                .exchange()
                .expectStatus().isOk();

        assertThat(upstream.calls()).singleElement()
                .satisfies(call -> assertThat(call.message()).isEqualTo("after the warm-up"));
        // The metrics filter records once the response has been written.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(meters.counter("gateway.requests", "outcome", "direct").count()).isEqualTo(1));
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> web.get().uri("/actuator/health/readiness").exchange()
                        .returnResult(String.class).getStatus().value() == 200);
    }

    private long rows(String table) {
        return db.sql("SELECT COUNT(*) AS n FROM " + table).map(row -> row.get("n", Long.class)).one().block();
    }

    /** Empties the stores after the context has started (the server is up) and before the warm-up begins. */
    @TestConfiguration(proxyBeanMethods = false)
    static class FromNothing {

        @Bean
        ApplicationListener<ApplicationStartedEvent> emptyStoresBeforeTheWarmUp(CleanSlate cleanSlate) {
            return event -> {
                cleanSlate.wipe();
                Simulator.shared().fresh();
            };
        }
    }
}
