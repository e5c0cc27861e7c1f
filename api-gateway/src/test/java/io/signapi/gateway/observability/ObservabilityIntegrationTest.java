package io.signapi.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.signapi.common.MessageHash;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.support.GatewayIntegrationTest;
import io.signapi.testsupport.PrometheusText;

/**
 * What an operator sees of the gateway: every series tagged with the application, latency histograms, the shared
 * budget gauges, and one outcome line per answer without the message text.
 */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTest extends GatewayIntegrationTest {

    private static final Map<String, String> GATEWAY = Map.of("application", "api-gateway");

    @Autowired
    private UpstreamProperties upstreamSettings;

    private PrometheusText scrape() {
        // The whole scrape is larger than the gateway's 64 KB codec limit, which the test client shares.
        String body = web.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build()
                .get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return PrometheusText.parse(body);
    }

    @Test
    void everySeriesCarriesTheApplicationTagAndLatencyIsAHistogram() {
        web.get().uri("/crypto/sign").exchange().expectStatus().isEqualTo(422);

        // The metrics filter records once the response has been written.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            PrometheusText scrape = scrape();
            assertThat(scrape.samples()).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.labels()).as(s.name()).containsEntry("application", "api-gateway"));
            assertThat(scrape.names()).contains("gateway_requests_total", "gateway_request_latency_seconds_bucket",
                    "gateway_direct_calls_total", "budget_slots_used", "budget_slots_limit",
                    "budget_next_slot_seconds");
            assertThat(scrape.value("gateway_requests_total", Map.of("outcome", "rejected")).orElseThrow())
                    .isGreaterThanOrEqualTo(1);
            assertThat(scrape.samples("gateway_request_latency_seconds_bucket", Map.of("outcome", "rejected")))
                    .hasSizeGreaterThan(10);
        });
    }

    @Test
    void budgetGaugesShowTheSharedBudgetWithoutTakingASlot() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            PrometheusText scrape = scrape();
            int limit = upstreamSettings.rateLimit().limit();
            assertThat(scrape.value("budget_slots_limit", GATEWAY)).hasValue(limit);
            assertThat(scrape.value("budget_slots_used", GATEWAY).orElseThrow()).isBetween(0.0, (double) limit);
            assertThat(scrape.value("budget_next_slot_seconds", GATEWAY).orElseThrow()).isGreaterThanOrEqualTo(0.0);
        });
    }

    @Test
    void logsOneOutcomeLinePerAnswerWithIdHashAndDurationButNeverTheMessage(CapturedOutput output) {
        String message = "observability secret text " + UUID.randomUUID();

        String requestId = web.get().uri(b -> b.path("/crypto/sign").queryParam("message", message).build())
                .exchange()
                .expectStatus().value(status -> assertThat(status).isIn(200, 202))
                .returnResult(String.class).getResponseHeaders().getFirst(RequestIdFilter.HEADER);

        await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("requestId=" + requestId));
        String line = output.getOut().lines().filter(l -> l.contains("answer requestId=" + requestId))
                .findFirst().orElseThrow();
        assertThat(line).contains("hash=" + MessageHash.of(message)).containsPattern("outcome=(cached|direct|queued)")
                .containsPattern("durationMs=\\d+").contains("io.signapi.outcome");
        assertThat(output.getAll()).doesNotContain(message);
    }
}
