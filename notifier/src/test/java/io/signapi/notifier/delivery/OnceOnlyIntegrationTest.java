package io.signapi.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.NotifierApplication;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import io.signapi.notifier.support.NotifierIntegrationTest;

/** A redelivered event or a second notifier instance never sends a mail or a webhook twice. */
class OnceOnlyIntegrationTest extends NotifierIntegrationTest {

    @Value("${spring.r2dbc.url}")
    String r2dbcUrl;

    @Value("${spring.flyway.url}")
    String flywayUrl;

    @Test
    void sendsOneMailAndOneWebhookForAnEventDeliveredTwice() {
        String path = hookPath();
        SignCompleted event = signed("heidi@example.com", receiver.url(path));

        publish(event);
        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> "DELIVERED".equals(status(event.requestId(),
                Channel.EMAIL)) && "DELIVERED".equals(status(event.requestId(), Channel.WEBHOOK)));
        // The same event once more, after delivery: the rows are final, nothing is sent.
        publish(event);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> mails().size() == 1 && requests(path).size() == 1);
        assertThat(attempts(event.requestId(), Channel.EMAIL)).isEqualTo(1);
        assertThat(attempts(event.requestId(), Channel.WEBHOOK)).isEqualTo(1);
    }

    @Test
    void twoInstancesSendEachMailAndWebhookOnce() {
        // Command-line arguments, which outrank application.yml: the second instance must use the test's stores.
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(NotifierApplication.class)
                .profiles("test")
                .run("--server.port=0",
                        "--notifier.instance-id=second-notifier",
                        "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                        "--spring.r2dbc.url=" + r2dbcUrl,
                        "--spring.flyway.url=" + flywayUrl,
                        "--spring.mail.host=127.0.0.1",
                        "--spring.mail.port=" + smtp.port())) {
            assertThat(second.getEnvironment().getProperty("spring.r2dbc.url")).isEqualTo(r2dbcUrl)
                    .contains("signapi_it_notifier");
            List<SignCompleted> events = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String path = hookPath();
                paths.add(path);
                events.add(signed("user" + i + "@example.com", receiver.url(path)));
            }
            // Each event twice, so both instances' consumers and schedulers see work for the same rows.
            events.forEach(this::publish);
            events.forEach(this::publish);

            await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().allMatch(e ->
                    "DELIVERED".equals(status(e.requestId(), Channel.EMAIL))
                            && "DELIVERED".equals(status(e.requestId(), Channel.WEBHOOK))));
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
                    .until(() -> mails().size() == events.size());
            for (String path : paths) {
                assertThat(requests(path)).hasSize(1);
            }
            assertThat(mails()).extracting(OnceOnlyIntegrationTest::recipient)
                    .containsExactlyInAnyOrderElementsOf(events.stream().map(SignCompleted::email).toList());
            for (SignCompleted event : events) {
                assertThat(attempts(event.requestId(), Channel.EMAIL)).isEqualTo(1);
                assertThat(attempts(event.requestId(), Channel.WEBHOOK)).isEqualTo(1);
            }
        }
    }

    private static String recipient(MimeMessage mail) {
        try {
            return mail.getRecipients(Message.RecipientType.TO)[0].toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
