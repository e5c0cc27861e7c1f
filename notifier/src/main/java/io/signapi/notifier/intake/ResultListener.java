package io.signapi.notifier.intake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
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
 * once those rows are durable, so the offset is committed after them (a failure is retried, never skipped). A record
 * replayed from {@code sign.results.dlt} (header {@value Topics#REPLAY_HEADER}) also makes the request's FAILED rows
 * of those channels due again; an ordinary redelivery never does.
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
    void onResult(ConsumerRecord<String, SignCompleted> record) {
        SignCompleted event = record.value();
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
        if (isReplay(record.headers().lastHeader(Topics.REPLAY_HEADER))) {
            Long reset = notifications.resetFailed(event.requestId(), channels)
                    .block(settings.databaseTimeout().multipliedBy(2));
            log.info("Request {} replayed from the dead-letter topic: {} FAILED {} of {} due again",
                    event.requestId(), reset, reset != null && reset == 1 ? "delivery" : "deliveries", channels);
            if (reset != null && reset > 0) {
                recorded = (recorded == null ? 0 : recorded) + reset;
            }
        }
        if (recorded != null && recorded > 0) {
            log.info("Request {} ended {}: {} recorded for delivery", event.requestId(), event.status(), channels);
            scheduler.wake();
        } else {
            log.info("Request {} ended {}: {} already recorded, nothing more to do", event.requestId(),
                    event.status(), channels);
        }
    }

    private static boolean isReplay(@Nullable Header header) {
        return header != null && header.value() != null
                && "true".equalsIgnoreCase(new String(header.value(), StandardCharsets.UTF_8).trim());
    }
}
