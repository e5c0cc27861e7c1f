package io.signapi.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;

import io.signapi.common.config.WebhookProperties;
import io.signapi.common.event.EventJson;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.notifier.delivery.Channel;
import io.signapi.testsupport.TopicRecords.Received;
import io.signapi.testsupport.HttpReceiver.Request;
import io.signapi.testsupport.SendThreads;
import io.signapi.notifier.support.NotifierIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Webhook deliveries end to end: Standard Webhooks headers and signature, outcomes, retries and dead letters. */
class WebhookDeliveryIntegrationTest extends NotifierIntegrationTest {

    /** The rotated-out secret of application-test.yml. */
    private static final String PREVIOUS_SECRET = "whsec_cHJldmlvdXMtd2ViaG9vay1zZWNyZXQtZm9yLXRlc3Q=";

    @Test
    void postsASignedResultThatVerifiesWithTheStandardWebhooksLibrary() throws Exception {
        String path = hookPath();
        SignCompleted event = signed(null, receiver.url(path));

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> requests(path).size() == 1);
        Request request = requests(path).getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(request.header("webhook-id")).isEqualTo("msg_" + event.requestId());
        assertThat(request.header("x-request-id")).isEqualTo(event.requestId().toString());
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThatCode(() -> new Webhook(WebhookProperties.LOCAL_SECRET).verify(request.bodyText(), request.headers()))
                .doesNotThrowAnyException();
        assertThatCode(() -> new Webhook(PREVIOUS_SECRET).verify(request.bodyText(), request.headers()))
                .doesNotThrowAnyException();
        JsonNode body = EventJson.mapper().readTree(request.bodyText());
        assertThat(body.get("requestId").asString()).isEqualTo(event.requestId().toString());
        assertThat(body.get("status").asString()).isEqualTo("SIGNED");
        assertThat(body.get("message").asString()).isEqualTo(event.message());
        assertThat(body.get("signature").asString()).isEqualTo(event.signature());
        assertThat(body.get("attempts").asInt()).isEqualTo(2);
        assertThat(body.get("completedAt").asString()).isNotBlank();
        assertThat(body.has("email")).isFalse();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.WEBHOOK)));
    }

    @Test
    void postsAFailedResultWithItsReasonAndNoSignature() throws Exception {
        String path = hookPath();
        SignCompleted event = finished(SignCompleted.Status.FAILED, "refused", null, null, receiver.url(path),
                SignCompleted.Reason.REJECTED);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> requests(path).size() == 1);
        Request request = requests(path).getFirst();
        new Webhook(WebhookProperties.LOCAL_SECRET).verify(request.bodyText(), request.headers());
        JsonNode body = EventJson.mapper().readTree(request.bodyText());
        assertThat(body.get("status").asString()).isEqualTo("FAILED");
        assertThat(body.get("reason").asString()).isEqualTo("REJECTED");
        assertThat(body.has("signature")).isFalse();
    }

    @Test
    void retriesAfterTwoServerErrorsAndDeliversOnceWithTheSameId() {
        String path = hookPath();
        receiver.respond(500, 500);
        SignCompleted event = signed(null, receiver.url(path));

        publish(event);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.WEBHOOK)));
        List<Request> requests = requests(path);
        assertThat(requests).hasSize(3);
        assertThat(requests).extracting(r -> r.header("webhook-id")).containsOnly("msg_" + event.requestId());
        assertThat(attempts(event.requestId(), Channel.WEBHOOK)).isEqualTo(3);
        assertThat((String) notification(event.requestId(), Channel.WEBHOOK).get("last_error")).isNull();
    }

    @Test
    void honoursRetryAfter() {
        String path = hookPath();
        receiver.respondWith(503, Map.of("Retry-After", "2"));
        SignCompleted event = signed(null, receiver.url(path));

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> requests(path).size() == 1);
        // Status and error read together: the retry two seconds later overwrites both.
        Map<String, Object> retrying = await().atMost(Duration.ofSeconds(5)).until(
                () -> notification(event.requestId(), Channel.WEBHOOK),
                row -> row != null && "RETRYING".equals(row.get("status")));
        assertThat((String) retrying.get("last_error")).isEqualTo("HTTP 503");
        await().atMost(Duration.ofSeconds(10)).until(() -> requests(path).size() == 2);
        List<Request> requests = requests(path);
        // The schedule alone would have retried after 200 ms ± 20 %.
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(
                Duration.ofSeconds(2));
    }

    @Test
    void treats404And410AsPermanent() {
        String missing = hookPath();
        String gone = hookPath();
        SignCompleted toMissing = signed(null, receiver.url(missing));
        SignCompleted toGone = signed(null, receiver.url(gone));

        // One at a time: the receiver's script is shared by every path.
        receiver.respond(404);
        publish(toMissing);
        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(status(toMissing.requestId(),
                Channel.WEBHOOK)));
        receiver.respond(410);
        publish(toGone);
        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(status(toGone.requestId(),
                Channel.WEBHOOK)));
        // Longer than the whole shrunken schedule: a retry would have come by now.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> requests(missing).size() == 1 && requests(gone).size() == 1);
        assertThat((String) notification(toMissing.requestId(), Channel.WEBHOOK).get("last_error"))
                .isEqualTo("HTTP 404");
        assertThat((String) notification(toGone.requestId(), Channel.WEBHOOK).get("last_error"))
                .isEqualTo("HTTP 410");
        assertThat(attempts(toGone.requestId(), Channel.WEBHOOK)).isEqualTo(1);
    }

    @Test
    void givesUpAfterTheScheduleAndPublishesTheResultToTheDeadLetterTopic() throws Exception {
        String path = hookPath();
        receiver.byDefault(500);
        SignCompleted event = signed("grace@example.com", receiver.url(path));

        publish(event);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> "FAILED".equals(status(event.requestId(), Channel.WEBHOOK)));
        // The first try and one retry per entry of the 3-entry schedule.
        assertThat(requests(path)).hasSize(4);
        assertThat(attempts(event.requestId(), Channel.WEBHOOK)).isEqualTo(4);
        assertThat((String) notification(event.requestId(), Channel.WEBHOOK).get("last_error"))
                .contains("HTTP 500").contains("retries exhausted");
        assertThat(notification(event.requestId(), Channel.WEBHOOK)).containsEntry("next_attempt_at", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().stream()
                .anyMatch(letter -> event.requestId().toString().equals(letter.key())));
        Received letter = deadLetters().stream().filter(l -> event.requestId().toString().equals(l.key()))
                .findFirst().orElseThrow();
        assertThat(letter.headers()).containsEntry("notifier-channel", "WEBHOOK");
        // Sent on a virtual thread, never on the event loop that recorded the give-up.
        assertThat(SendThreads.of(Topics.dlt(Topics.SIGN_RESULTS), event.requestId().toString()))
                .isNotEmpty().allMatch(thread -> thread.startsWith("kafka-send-"));
        SignCompleted dead = EventJson.mapper().readValue(letter.value(), SignCompleted.class);
        assertThat(dead.requestId()).isEqualTo(event.requestId());
        assertThat(dead.status()).isEqualTo(SignCompleted.Status.SIGNED);
        assertThat(dead.signature()).isEqualTo(event.signature());
        assertThat(dead.message()).isEqualTo(event.message());
        assertThat(dead.webhook()).isEqualTo(event.webhook());
        assertThat(dead.email()).isNull();
        assertThat(dead.completedAt()).isEqualTo(event.completedAt());
        // The mail of the same request is unaffected.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.EMAIL)));
    }

    @Test
    void treatsARedirectAsAFailureAndDoesNotFollowIt() {
        String path = hookPath();
        String elsewhere = hookPath();
        receiver.respondWith(302, Map.of("Location", receiver.url(elsewhere)));
        SignCompleted event = signed(null, receiver.url(path));

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> "DELIVERED".equals(status(event.requestId(),
                Channel.WEBHOOK)));
        assertThat(requests(path)).hasSize(2);
        assertThat(requests(elsewhere)).isEmpty();
    }

    @Test
    void neverLetsALineBreakInTheUrlAddHeaders() {
        String path = hookPath();
        SignCompleted event = signed(null, receiver.url(path) + "\r\nX-Injected: yes");

        publish(event);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> "FAILED".equals(status(event.requestId(), Channel.WEBHOOK)));
        assertThat((String) notification(event.requestId(), Channel.WEBHOOK).get("last_error"))
                .contains("control characters");
        assertThat(receiver.requests()).noneMatch(r -> r.headers().containsKey("x-injected"));
        assertThat(requests(path)).isEmpty();
    }

    @Test
    void deliversToAHostNameThatResolvesToLoopbackWhilePrivateTargetsAreAllowed() {
        String path = hookPath();
        SignCompleted event = signed(null, "http://localhost:" + receiver.port() + path);

        publish(event);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.WEBHOOK)));
        assertThat(requests(path)).hasSize(1);
        assertThat(requests(path).getFirst().header("host")).isEqualTo("localhost:" + receiver.port());
    }
}
