package io.signapi.notifier.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.MessageHash;
import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.support.NotifierIntegrationTest;
import io.signapi.testsupport.PrometheusText;

/**
 * What an operator sees of the notifier: the application tag, its group's consumer lag, every delivery series from
 * the start, and one outcome line per delivery try without the message text.
 */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTest extends NotifierIntegrationTest {

    @Autowired
    private WebTestClient web;

    private PrometheusText scrape() {
        return PrometheusText.scrape(web);
    }

    @Test
    void exposesLagAndEveryDeliverySeriesTaggedWithTheApplication() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(scrape()
                .value("consumer_group_lag_records", Map.of("group", "notifier", "topic", "sign.results"))
                .orElseThrow()).isGreaterThanOrEqualTo(0));

        PrometheusText scrape = scrape();
        assertThat(scrape.samples()).allSatisfy(s -> assertThat(s.labels()).as(s.name())
                .containsEntry("application", "notifier"));
        for (String channel : List.of("email", "webhook")) {
            for (String outcome : List.of("delivered", "retrying", "failed", "refused")) {
                assertThat(scrape.value("notifier_deliveries_total", Map.of("channel", channel, "outcome", outcome)))
                        .as(channel + " " + outcome).isPresent();
            }
            assertThat(scrape.samples("notifier_delivery_latency_seconds_bucket", Map.of("channel", channel)))
                    .isNotEmpty();
        }
        assertThat(scrape.names()).contains("notifier_dead_letters_total", "notifier_retries_total");
    }

    @Test
    void logsOneOutcomeLinePerDeliveryWithoutTheMessageOrTheAddress(CapturedOutput output) {
        SignCompleted event = signed("victor@example.com", null);
        publish(event);

        await().atMost(Duration.ofSeconds(20)).until(() -> output.getOut().contains(
                "delivery requestId=" + event.requestId()));
        String line = output.getOut().lines().filter(l -> l.contains("delivery requestId=" + event.requestId()))
                .findFirst().orElseThrow();
        assertThat(line).contains("hash=" + MessageHash.of(event.message()), "outcome=DELIVERED", "channel=EMAIL",
                "attempt=1").containsPattern("durationMs=\\d+").doesNotContain("victor@example.com");
        assertThat(output.getAll()).doesNotContain(event.message());
    }
}
