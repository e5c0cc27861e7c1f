package io.signapi.notifier.intake;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.notifier.config.NotifierProperties;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.delivery.DeliveryScheduler;
import io.signapi.notifier.delivery.Notifications;

/**
 * Consumes {@code sign.results}: records one PENDING notification per channel the event asks for, and returns only
 * once those rows are durable, so the offset is committed after them (a failure is retried, never skipped).
 */
@Component
class ResultListener {

    private static final Logger log = LoggerFactory.getLogger(ResultListener.class);

    private final Notifications notifications;
    private final DeliveryScheduler scheduler;
    private final NotifierProperties settings;

    ResultListener(Notifications notifications, DeliveryScheduler scheduler, NotifierProperties settings) {
        this.notifications = notifications;
        this.scheduler = scheduler;
        this.settings = settings;
    }

    @KafkaListener(id = "notifier-results", topics = Topics.SIGN_RESULTS, groupId = "notifier")
    void onResult(SignCompleted event) {
        List<Channel> channels = new ArrayList<>(2);
        if (event.email() != null && !event.email().isBlank()) {
            channels.add(Channel.EMAIL);
        }
        if (event.webhook() != null && !event.webhook().isBlank()) {
            channels.add(Channel.WEBHOOK);
        }
        if (channels.isEmpty()) {
            log.debug("Request {} ended {} with nothing to notify", event.requestId(), event.status());
            return;
        }
        // On a consumer thread, not an event loop: waiting here is what keeps the offset behind the rows.
        Long recorded = notifications.recordPending(event.requestId(), channels)
                .block(settings.databaseTimeout().multipliedBy(2));
        if (recorded != null && recorded > 0) {
            log.info("Request {} ended {}: {} recorded for delivery", event.requestId(), event.status(), channels);
            scheduler.wake();
        } else {
            log.info("Request {} ended {}: {} already recorded, nothing more to do", event.requestId(),
                    event.status(), channels);
        }
    }
}
