package io.signapi.gateway.signing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.signapi.common.attempt.SignAttempt;
import io.signapi.common.attempt.SignAttempts;
import io.signapi.common.budget.Caller;
import io.signapi.common.upstream.UpstreamOutcome;
import io.signapi.gateway.config.GatewayProperties;
import reactor.core.publisher.Mono;

/**
 * Records each direct upstream call as a {@code sign_attempt} row, fire-and-forget: the write is bounded by
 * {@code gateway.database-timeout} and never delays or fails the answer.
 */
@Component
class DirectAttempts {

    private static final Logger log = LoggerFactory.getLogger(DirectAttempts.class);

    private final DatabaseClient db;
    private final Clock clock;
    private final String instanceId;
    private final Duration timeout;

    DirectAttempts(DatabaseClient db, Clock clock, GatewayProperties gateway) {
        this.db = db;
        this.clock = clock;
        this.instanceId = gateway.instanceId();
        this.timeout = gateway.databaseTimeout();
    }

    /** The call, unchanged, with a row written on the side once its outcome is known. */
    Mono<UpstreamOutcome> recorded(String messageHash, Mono<UpstreamOutcome> call) {
        return Mono.defer(() -> {
            Instant startedAt = clock.instant();
            return call.doOnNext(outcome -> write(SignAttempt.of(messageHash, Caller.GATEWAY, instanceId, startedAt,
                    clock.instant(), outcome)));
        });
    }

    private void write(SignAttempt attempt) {
        // Subscribed on its own: the answer never waits for MySQL, and a failed write only costs the row.
        SignAttempts.insert(db, attempt)
                .timeout(timeout)
                .subscribe(null, error -> log.warn("sign_attempt row hash={} outcome={} not written: {}",
                        attempt.messageHash(), attempt.outcome(), error.toString()));
    }
}
