package io.signapi.worker.retry;

import java.time.Instant;

import org.springframework.stereotype.Component;

/**
 * When a message is tried again: after a degradation, once the slot policy's estimated chance of signing reaches
 * {@link SlotPolicy#RETRY_CHANCE} (from the learned recovery estimate); after a failed call (timeout, I/O error,
 * another 5xx) half a window, since such a call says nothing about the message.
 */
@Component
public class RetryBackoff {

    private final SlotPolicy policy;
    private final Learning learning;

    RetryBackoff(SlotPolicy policy, Learning learning) {
        this.policy = policy;
        this.learning = learning;
    }

    /** The next attempt of a message degraded at {@code at}, whose first failure was at {@code firstFailure}. */
    public Instant afterDegraded(Instant firstFailure, Instant at) {
        return policy.nextAfterDegraded(learning.current(), firstFailure, at);
    }

    /** The next attempt after a call that failed without an answer about the message. */
    public Instant afterFailed(Instant at) {
        return at.plus(policy.window().dividedBy(2));
    }
}
