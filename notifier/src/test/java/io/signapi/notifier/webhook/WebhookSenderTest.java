package io.signapi.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.signapi.common.config.WebhookProperties;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.notifier.config.NotifierProperties;
import io.signapi.notifier.delivery.Outcome;

class WebhookSenderTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final WebhookProperties webhook = new WebhookProperties(false, WebhookProperties.LOCAL_SECRET, List.of());
    private final WebhookSender sender = new WebhookSender(new WebhookSigner(webhook, UpstreamProperties.defaults()),
            Clock.fixed(NOW, ZoneOffset.UTC), properties(), webhook);

    private static NotifierProperties properties() {
        return new NotifierProperties(null, "Sign API <no-reply@signapi.local>", Duration.ofSeconds(30),
                Duration.ofSeconds(15), List.of(Duration.ofSeconds(5)), 0.2, Duration.ofMillis(500),
                Duration.ofMinutes(2), 50, 64, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(2),
                null);
    }

    @AfterEach
    void close() {
        sender.destroy();
    }

    private static HttpHeaders headers(String name, String value) {
        return new DefaultHttpHeaders().add(name, value);
    }

    @Test
    void classifiesStatuses() {
        HttpHeaders none = new DefaultHttpHeaders();
        assertThat(sender.outcome(200, none)).isInstanceOf(Outcome.Delivered.class);
        assertThat(sender.outcome(204, none)).isInstanceOf(Outcome.Delivered.class);
        assertThat(sender.outcome(301, headers("Location", "http://x"))).isInstanceOf(Outcome.Retry.class);
        assertThat(sender.outcome(400, none)).isEqualTo(new Outcome.Failed("HTTP 400"));
        assertThat(sender.outcome(404, none)).isEqualTo(new Outcome.Failed("HTTP 404"));
        assertThat(sender.outcome(410, none)).isEqualTo(new Outcome.Failed("HTTP 410"));
        assertThat(sender.outcome(408, none)).isEqualTo(new Outcome.Retry("HTTP 408"));
        assertThat(sender.outcome(429, headers("Retry-After", "7")))
                .isEqualTo(new Outcome.Retry("HTTP 429", Duration.ofSeconds(7)));
        assertThat(sender.outcome(500, none)).isEqualTo(new Outcome.Retry("HTTP 500"));
        assertThat(sender.outcome(503, none)).isEqualTo(new Outcome.Retry("HTTP 503"));
    }

    @Test
    void readsRetryAfterAsSecondsOrAnHttpDate() {
        assertThat(sender.retryAfter("2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(sender.retryAfter("Thu, 01 Jan 2026 12:01:00 GMT")).isEqualTo(Duration.ofMinutes(1));
        assertThat(sender.retryAfter("Thu, 01 Jan 2026 11:00:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(sender.retryAfter("soon")).isNull();
        assertThat(sender.retryAfter("-3")).isNull();
        assertThat(sender.retryAfter(null)).isNull();
    }

    @Test
    void acceptsOnlyAbsoluteHttpUrlsWithoutControlCharacters() throws Exception {
        assertThat(WebhookSender.target("https://example.com/hook?a=1").getHost()).isEqualTo("example.com");
        assertThatThrownBy(() -> WebhookSender.target("http://example.com/\r\nX-Injected: 1"))
                .isInstanceOf(URISyntaxException.class).hasMessageContaining("control characters");
        assertThatThrownBy(() -> WebhookSender.target("ftp://example.com/")).isInstanceOf(URISyntaxException.class);
        assertThatThrownBy(() -> WebhookSender.target("/relative")).isInstanceOf(URISyntaxException.class);
        assertThatThrownBy(() -> WebhookSender.target(null)).isInstanceOf(URISyntaxException.class);
    }
}
