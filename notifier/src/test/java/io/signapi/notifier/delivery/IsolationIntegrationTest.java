package io.signapi.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.support.NotifierIntegrationTest;

/** One receiver that never answers holds up nothing else. */
class IsolationIntegrationTest extends NotifierIntegrationTest {

    @Test
    void aReceiverThatNeverAnswersDelaysNoMailAndNoOtherWebhook() {
        String hanging = hookPath();
        String healthy = hookPath();
        receiver.hang();
        SignCompleted stuck = signed(null, receiver.url(hanging));
        publish(stuck);
        await().atMost(Duration.ofSeconds(15)).until(() -> requests(hanging).size() == 1);

        SignCompleted other = signed("ivan@example.com", receiver.url(healthy));
        publish(other);

        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(status(other.requestId(),
                Channel.EMAIL)) && "DELIVERED".equals(status(other.requestId(), Channel.WEBHOOK)));
        // The stuck delivery is still waiting for its answer (notifier.webhook-timeout is 2 s in tests).
        assertThat(attempts(stuck.requestId(), Channel.WEBHOOK)).isZero();
        assertThat(status(stuck.requestId(), Channel.WEBHOOK)).isEqualTo("PENDING");
        assertThat(mails()).hasSize(1);
        assertThat(requests(healthy)).hasSize(1);
        // And it times out into a retry, which the receiver answers, rather than hanging for ever.
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(status(stuck.requestId(),
                Channel.WEBHOOK)));
        assertThat(attempts(stuck.requestId(), Channel.WEBHOOK)).isEqualTo(2);
        assertThat(requests(hanging)).hasSize(2);
    }
}
