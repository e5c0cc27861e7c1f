package io.signapi.worker.intake;

import java.time.Duration;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import io.signapi.common.event.SignRequested;
import io.signapi.common.event.SignatureObtained;
import io.signapi.common.event.Topics;
import io.signapi.worker.config.WorkerProperties;

/**
 * Consumes the two intake topics in group {@code sign-worker}. Each record is recorded before its listener returns,
 * and the container commits the offset only then (ack mode RECORD); a failure is retried by the error handler, so
 * with MySQL down intake pauses and nothing is lost.
 */
@Component
class IntakeListeners {

    static final String GROUP = "sign-worker";

    private final Intake intake;
    private final String me;
    private final Duration timeout;

    IntakeListeners(Intake intake, WorkerProperties worker) {
        this.intake = intake;
        this.me = worker.callerName();
        this.timeout = worker.databaseTimeout();
    }

    // Blocking is fine here: a listener thread is the container's own, never an event loop.
    @KafkaListener(id = "sign-requests", groupId = GROUP, topics = Topics.SIGN_REQUESTS,
            containerFactory = "signRequestsListenerFactory")
    void onSignRequested(SignRequested event) {
        intake.requested(event).block(timeout);
    }

    @KafkaListener(id = "sign-signatures", groupId = GROUP, topics = Topics.SIGN_SIGNATURES,
            containerFactory = "signaturesListenerFactory")
    void onSignatureObtained(SignatureObtained event) {
        if (me.equals(event.obtainedBy())) {
            // This instance recorded it before publishing; counting it again would count one success twice.
            return;
        }
        intake.obtained(event).block(timeout);
    }
}
