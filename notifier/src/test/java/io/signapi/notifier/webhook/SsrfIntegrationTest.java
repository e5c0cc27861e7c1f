package io.signapi.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.TestPropertySource;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.support.NotifierIntegrationTest;

/** With {@code webhook.allow-private=false}, webhooks to internal addresses are refused and recorded, never sent. */
@TestPropertySource(properties = "webhook.allow-private=false")
class SsrfIntegrationTest extends NotifierIntegrationTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:{port}", "10.0.0.1", "169.254.169.254", "[::1]:{port}",
            "[::ffff:127.0.0.1]:{port}", "localhost:{port}"})
    void refusesAnInternalTargetWithoutConnecting(String authority) {
        String path = hookPath();
        String url = "http://" + authority.replace("{port}", Integer.toString(receiver.port())) + path;
        SignCompleted event = signed(null, url);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> "REFUSED".equals(status(event.requestId(),
                Channel.WEBHOOK)));
        assertThat((String) notification(event.requestId(), Channel.WEBHOOK).get("last_error"))
                .contains("internal address").contains("webhook.allow-private is false");
        assertThat(notification(event.requestId(), Channel.WEBHOOK)).containsEntry("next_attempt_at", null);
        assertThat(requests(path)).isEmpty();
    }
}
