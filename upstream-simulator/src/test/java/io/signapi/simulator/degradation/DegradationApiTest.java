package io.signapi.simulator.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signapi.simulator.LiveSimulatorTest;
import io.signapi.simulator.UpstreamCalls;
import io.signapi.simulator.UpstreamSimulatorApplication;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.simulator.behaviour.Behaviour;
import io.signapi.simulator.behaviour.Outage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Flux;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

@TestPropertySource(properties = {
        "simulator.seed=42",
        "simulator.failure-rate=0.5",
        "simulator.degraded-min-windows=1",
        "simulator.degraded-max-windows=2",
        "simulator.latency-min=0ms",
        "simulator.latency-max=5ms",
        "upstream.rate-limit.window=1000ms",
        "upstream.rate-limit.limit=1000000"})
class DegradationApiTest extends LiveSimulatorTest {

    private static final long SEED = 42;
    private static final Duration WINDOW = Duration.ofSeconds(1);
    /** The same settings as above, for a second, independent instance. */
    private static final Map<String, Object> SETTINGS = Map.of(
            "simulator.seed", SEED,
            "simulator.failure-rate", 0.5,
            "simulator.degraded-min-windows", 1,
            "simulator.degraded-max-windows", 2,
            "simulator.latency-min", "0ms",
            "simulator.latency-max", "5ms",
            "upstream.rate-limit.window", WINDOW.toMillis() + "ms",
            "upstream.rate-limit.limit", 1_000_000);
    private static final Behaviour BEHAVIOUR = new Behaviour(0.5, 1, 2, Duration.ZERO, Duration.ofMillis(5), 0,
            Duration.ofSeconds(5), Outage.NONE, "key");
    private static final DegradationModel MODEL = new DegradationModel(SEED);

    @Test
    void aboutHalfOfFirstCallsFailAsTheSeedDecides() {
        List<String> messages = IntStream.range(0, 2_000).mapToObj(i -> "fresh message " + i).toList();

        Map<String, Integer> outcomes = firstCallOutcomes(upstream, messages, 16);

        long failed = outcomes.values().stream().filter(status -> status == 502).count();
        assertThat(failed / 2_000.0).isBetween(0.45, 0.55);
        assertThat(outcomes).allSatisfy((message, status) ->
                assertThat(status).isEqualTo(MODEL.draws(message).firstCallFails(BEHAVIOUR) ? 502 : 200));
        assertThat(admin.stats().failures()).isEqualTo(failed);
    }

    @Test
    void sameSeedGivesTheSameOutcomesUnderConcurrency() {
        List<String> messages = IntStream.range(0, 300).mapToObj(i -> "shared message " + i).toList();
        List<String> shuffled = new ArrayList<>(messages);
        Collections.shuffle(shuffled, new Random(5));

        try (ConfigurableApplicationContext twin = startTwin()) {
            int twinPort = ((WebServerApplicationContext) twin).getWebServer().getPort();
            Map<String, Integer> here = firstCallOutcomes(upstream, messages, 32);
            Map<String, Integer> there = firstCallOutcomes(new UpstreamCalls("http://127.0.0.1:" + twinPort), shuffled, 7);

            assertThat(there).isEqualTo(here);
            assertThat(here.values()).contains(200, 502);
        }
    }

    @Test
    void degradedMessageKeepsFailingUntilItsPeriodEndsThenSucceeds() {
        String message = IntStream.range(0, 100).mapToObj(i -> "degraded " + i)
                .filter(m -> MODEL.draws(m).firstCallFails(BEHAVIOUR))
                .findFirst().orElseThrow();
        String healthy = IntStream.range(0, 100).mapToObj(i -> "healthy " + i)
                .filter(m -> !MODEL.draws(m).firstCallFails(BEHAVIOUR))
                .findFirst().orElseThrow();
        long period = MODEL.draws(message).degradedPeriod(BEHAVIOUR, WINDOW).toMillis();
        assertThat(period).isBetween(1_000L, 2_000L);

        assertThat(upstream.signNow(message).getStatusCode().value()).isEqualTo(502);
        assertThat(upstream.signNow(healthy).getStatusCode().value()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> upstream.signNow(message).getStatusCode().value() == 200);
        assertThat(upstream.signNow(message).getStatusCode().value()).isEqualTo(200);

        List<CallRecord> calls = admin.calls().stream().filter(call -> call.message().equals(message)).toList();
        long first = calls.getFirst().at();
        assertThat(calls.stream().filter(call -> call.at() < first + period))
                .hasSizeGreaterThan(5)
                .allSatisfy(call -> assertThat(call.status()).isEqualTo(502));
        assertThat(calls.stream().filter(call -> call.at() >= first + period))
                .hasSize(2)
                .allSatisfy(call -> assertThat(call.status()).isEqualTo(200));
    }

    @Test
    void planForeseesEachMessagesFirstCallAndDegradedPeriod() {
        List<String> messages = IntStream.range(0, 40).mapToObj(i -> "planned " + i).toList();

        Map<String, Integer> outcomes = firstCallOutcomes(upstream, messages, 8);

        assertThat(outcomes).allSatisfy((message, status) -> {
            Plan plan = admin.plan(message);
            assertThat(status).isEqualTo(plan.failsFirst() ? 502 : 200);
            assertThat(plan.degradedMillis()).isEqualTo(plan.failsFirst()
                    ? MODEL.draws(message).degradedPeriod(BEHAVIOUR, WINDOW).toMillis() : 0);
        });
        assertThat(outcomes.values()).contains(200, 502);
    }

    /** The packaged application once more, on a random port and on its own Netty resources. */
    private static ConfigurableApplicationContext startTwin() {
        // As arguments: they win over upstream-simulator.yml, as they do for the packaged jar.
        Stream<String> args = Stream.concat(Stream.of("--spring.config.name=" + UpstreamSimulatorApplication.CONFIG_NAME,
                "--server.port=0"), SETTINGS.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()));
        return new SpringApplicationBuilder(UpstreamSimulatorApplication.class, OwnNettyResources.class)
                .run(args.toArray(String[]::new));
    }

    /**
     * Closing an application on Reactor Netty's global resources would dispose them under the test's own context;
     * not a {@code @Configuration}, so the test context does not pick it up.
     */
    static class OwnNettyResources {

        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            factory.setShutdownQuietPeriod(Duration.ZERO);
            return factory;
        }
    }

    private static Map<String, Integer> firstCallOutcomes(UpstreamCalls calls, List<String> messages,
            int concurrency) {
        return Flux.fromIterable(messages)
                .flatMap(message -> calls.sign(message)
                        .map(response -> Tuples.of(message, response.getStatusCode().value())), concurrency)
                .collectMap(Tuple2::getT1, Tuple2::getT2)
                .block(Duration.ofSeconds(60));
    }
}
