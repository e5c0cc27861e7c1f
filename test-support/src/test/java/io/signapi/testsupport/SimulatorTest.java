package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.simulator.admin.CallRecord;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.reactive.function.client.WebClient;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimulatorTest {

    @RegisterExtension
    static final Simulator upstream = Simulator.perClass(Map.of(
            "simulator.failure-rate", 0,
            "simulator.latency-min", "0ms",
            "simulator.latency-max", "0ms",
            "upstream.rate-limit.limit", 3));

    @Test
    @Order(1)
    void aPerClassInstanceRunsWithItsOwnStartSettings() {
        assertThat(sign(upstream, "one")).isEqualTo(200);
        upstream.configure(Map.of("failureRate", 1));

        assertThat(upstream.baseUrl()).isEqualTo("http://127.0.0.1:" + upstream.port());
        assertThat(upstream.config()).containsEntry("limit", 3).containsEntry("failureRate", 1.0);
        assertThat(upstream.calls()).extracting(CallRecord::message).containsExactly("one");
    }

    @Test
    @Order(2)
    void theExtensionResetsAndRestoresBeforeEachTest() {
        assertThat(upstream.calls()).isEmpty();
        assertThat(upstream.stats().calls()).isZero();
        assertThat(upstream.config()).containsEntry("failureRate", 0.0);
    }

    @Test
    void theSharedInstanceIsOneForTheJvmWithTheSharedSettings() {
        Simulator shared = Simulator.shared();

        assertThat(Simulator.shared()).isSameAs(shared);
        assertThat(shared.port()).isNotEqualTo(upstream.port());
        assertThat(shared.config())
                .containsEntry("failureRate", 0.0)
                .containsEntry("latencyMaxMillis", 15L)
                .containsEntry("limit", 100_000)
                .containsEntry("windowMillis", 3_000L);
        shared.configure(Map.of("outage", "error"));
        assertThat(sign(shared, "down")).isEqualTo(502);
        shared.fresh();
        assertThat(shared.calls()).isEmpty();
        assertThat(sign(shared, "up again")).isEqualTo(200);
    }

    private static int sign(Simulator simulator, String message) {
        return WebClient.create(simulator.baseUrl()).get()
                .uri(uri -> uri.path("/crypto/sign").queryParam("message", "{m}").build(message))
                .header("Authorization", "local-dev-key")
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .block(Duration.ofSeconds(10));
    }
}
