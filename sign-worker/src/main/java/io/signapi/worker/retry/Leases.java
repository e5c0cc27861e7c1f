package io.signapi.worker.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;
import reactor.core.publisher.Mono;

/**
 * Leases due messages with a conditional UPDATE that excludes live leases, so two instances never call the upstream
 * for one message at once; a lease is renewed (and so re-checked) right before each call.
 */
@Component
public class Leases {

    private static final int CANDIDATES = 5;

    private static final String LEASE = """
            UPDATE sign_message SET claimed_by = :me, claimed_until = :until
            WHERE message_hash = :hash AND signature IS NULL AND next_attempt_at <= :now
              AND (claimed_until IS NULL OR claimed_until < :now)""";

    private static final String MESSAGE = "SELECT message FROM sign_message WHERE message_hash = :hash";

    private static final String RENEW = """
            UPDATE sign_message SET claimed_until = :until
            WHERE message_hash = :hash AND claimed_by = :me AND signature IS NULL
              AND next_attempt_at IS NOT NULL""";

    private static final String RELEASE = """
            UPDATE sign_message SET claimed_by = NULL, claimed_until = NULL
            WHERE message_hash = :hash AND claimed_by = :me""";

    private final DatabaseClient db;
    private final NextMessage next;
    private final Clock clock;
    private final String me;
    private final Duration length;

    Leases(DatabaseClient db, NextMessage next, Clock clock, WorkerProperties worker, UpstreamProperties upstream) {
        this.db = db;
        this.next = next;
        this.clock = clock;
        this.me = worker.instanceId();
        this.length = worker.effectiveLease(upstream);
    }

    /** Leases the best due message that no other instance holds; empty when none is due. */
    public Mono<Lease> leaseNext() {
        Instant now = clock.instant();
        Instant until = now.plus(length);
        return next.candidates(now, CANDIDATES)
                .concatMap(hash -> db.sql(LEASE).bind("me", me).bind("until", until).bind("hash", hash)
                        .bind("now", now)
                        .fetch().rowsUpdated()
                        .filter(rows -> rows > 0)
                        .map(rows -> hash))
                .next()
                .flatMap(hash -> db.sql(MESSAGE).bind("hash", hash)
                        .map(row -> new Lease(hash, row.get("message", String.class), until))
                        .one());
    }

    /**
     * Renews the lease for one more full length if it is still this instance's and the message still needs a
     * call; false when it was lost (lapsed and taken, or the message got signed or left the schedule meanwhile).
     * A lost lease still marked as this instance's is given back, so that a request arriving for a message that
     * just left the schedule does not wait for it to lapse.
     */
    public Mono<Boolean> renew(Lease lease) {
        Instant now = clock.instant();
        return db.sql(RENEW).bind("until", now.plus(length)).bind("hash", lease.messageHash()).bind("me", me)
                .fetch().rowsUpdated()
                .flatMap(rows -> rows > 0 ? Mono.just(true) : release(lease).thenReturn(false));
    }

    /** Gives the message back without a call, e.g. on shutdown. */
    public Mono<Void> release(Lease lease) {
        return db.sql(RELEASE).bind("hash", lease.messageHash()).bind("me", me).fetch().rowsUpdated().then();
    }

    /** The lease length in force. */
    public Duration length() {
        return length;
    }
}
