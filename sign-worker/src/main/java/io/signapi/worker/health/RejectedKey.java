package io.signapi.worker.health;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code rejected-key} state: the upstream answered 401/403, so the API key is wrong and the worker stops
 * calling (only one probe call per window) until the key is accepted again. As the health contributor
 * {@code rejectedKey} it takes readiness DOWN meanwhile.
 */
@Component("rejectedKey")
public class RejectedKey implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(RejectedKey.class);

    private final AtomicReference<Rejection> rejection = new AtomicReference<>();

    /** The upstream refused the key with {@code status} at {@code at}; logged once, never with the key. */
    public void rejected(int status, Instant at) {
        if (rejection.getAndSet(new Rejection(status, at)) == null) {
            log.error("upstream refused the API key (HTTP {}): calls stop, readiness is DOWN (rejected-key); one probe"
                    + " call per window until it is accepted", status);
        }
    }

    /** A call was answered without refusing the key. */
    public void accepted() {
        if (rejection.getAndSet(null) != null) {
            log.warn("upstream accepts the API key again: calls resume");
        }
    }

    public boolean isRejected() {
        return rejection.get() != null;
    }

    @Override
    public Health health() {
        Rejection current = rejection.get();
        if (current == null) {
            return Health.up().build();
        }
        return Health.down()
                .withDetail("reason", "rejected-key")
                .withDetail("status", current.status())
                .withDetail("since", current.at().toString())
                .build();
    }

    private record Rejection(int status, Instant at) {
    }
}
