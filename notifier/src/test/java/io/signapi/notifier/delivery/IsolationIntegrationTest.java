package io.signapi.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.config.NotifierProperties;
import io.signapi.notifier.support.NotifierIntegrationTest;

/** One receiver that never answers holds up nothing else. */
class IsolationIntegrationTest extends NotifierIntegrationTest {

    @Autowired
    private NotifierProperties settings;

    @Test
    void aReceiverThatNeverAnswersDelaysNoMailAndNoOtherWebhook() {
        String hanging = hookPath();
        String healthy = hookPath();
        receiver.hang();
        SignCompleted stuck = signed(null, receiver.url(hanging));
        publish(stuck);
        await().atMost(Duration.ofSeconds(15)).until(() -> requests(hanging).size() == 1);
        // Claimed before its request was sent, the stuck try cannot time out before its claim + webhook-timeout.
        Instant claimedUntil = firstClaimUntil(stuck.requestId());
        assertThat(claimedUntil).as("the stuck delivery's first claim").isNotNull();
        Instant stillWaitingUntil = claimedUntil.minus(settings.lease()).plus(settings.webhookTimeout());

        SignCompleted other = signed("ivan@example.com", receiver.url(healthy));
        publish(other);

        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(status(other.requestId(),
                Channel.EMAIL)) && "DELIVERED".equals(status(other.requestId(), Channel.WEBHOOK)));
        // Both were delivered while the stuck delivery was still waiting for its answer (notifier.webhook-timeout is
        // 2 s in tests), judged by the recorded times rather than by when this test happens to look.
        assertThat(deliveredAt(other.requestId(), Channel.EMAIL)).isBefore(stillWaitingUntil);
        assertThat(deliveredAt(other.requestId(), Channel.WEBHOOK)).isBefore(stillWaitingUntil);
        assertThat(mails()).hasSize(1);
        assertThat(requests(healthy)).hasSize(1);
        // And it times out into a retry, which the receiver answers, rather than hanging for ever.
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(status(stuck.requestId(),
                Channel.WEBHOOK)));
        assertThat(attempts(stuck.requestId(), Channel.WEBHOOK)).isEqualTo(2);
        assertThat(requests(hanging)).hasSize(2);
    }

    /** The lease end of a webhook delivery's first try while that try is in flight; null once it has ended. */
    private @Nullable Instant firstClaimUntil(UUID requestId) {
        return instant("SELECT claimed_until AS t FROM notification WHERE request_id = :id AND channel = :channel"
                + " AND attempts = 0", requestId, Channel.WEBHOOK);
    }

    /** When a delivery was recorded DELIVERED; null until then. */
    private @Nullable Instant deliveredAt(UUID requestId, Channel channel) {
        return instant("SELECT delivered_at AS t FROM notification WHERE request_id = :id AND channel = :channel"
                + " AND status = 'DELIVERED'", requestId, channel);
    }

    private @Nullable Instant instant(String sql, UUID requestId, Channel channel) {
        return db.sql(sql)
                .bind("id", requestId.toString())
                .bind("channel", channel.name())
                .map(row -> row.get("t", Instant.class))
                .one()
                .block(Duration.ofSeconds(5));
    }
}
