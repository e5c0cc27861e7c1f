package io.signapi.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.signapi.common.MessageHash;
import io.signapi.worker.config.WorkerProperties;
import io.signapi.worker.support.WorkerIntegrationTest;

/** Renewing a lease right before a call re-checks it, and a lost lease never keeps a message from the schedule. */
class LeasesIntegrationTest extends WorkerIntegrationTest {

    @Autowired
    private Leases leases;

    @Autowired
    private WorkerProperties worker;

    @Test
    void renewsALeaseStillHeldOnAScheduledMessageForOneMoreLength() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // Due only later, so that no call loop leases it meanwhile.
        Lease lease = held(worker.instanceId(), now.plusSeconds(60), now.plusSeconds(1));

        assertThat(leases.renew(lease).block(Duration.ofSeconds(5))).isTrue();

        Map<String, Object> row = row(lease);
        assertThat(row.get("claimed_by")).isEqualTo(worker.instanceId());
        assertThat((Instant) row.get("claimed_until")).isAfterOrEqualTo(now.plus(leases.length()));
    }

    @Test
    void givesBackALeaseOnAMessageThatLeftTheScheduleMeanwhile() {
        // What the expiry leaves when it ends a message's last request during the lease.
        Lease lease = held(worker.instanceId(), null, Instant.now().plusSeconds(4));

        assertThat(leases.renew(lease).block(Duration.ofSeconds(5))).isFalse();

        Map<String, Object> row = row(lease);
        assertThat(row.get("claimed_by")).isNull();
        assertThat(row.get("claimed_until")).isNull();
    }

    @Test
    void leavesALeaseThatLapsedAndWasTakenToItsNewHolder() {
        Lease lease = held("another-instance", Instant.now().minusSeconds(1), Instant.now().plusSeconds(4));

        assertThat(leases.renew(lease).block(Duration.ofSeconds(5))).isFalse();

        assertThat(row(lease).get("claimed_by")).isEqualTo("another-instance");
    }

    /** A message row leased by {@code holder} until {@code until}, scheduled at {@code next} (null: unscheduled). */
    private Lease held(String holder, Instant next, Instant until) {
        String message = freshMessage();
        String hash = MessageHash.of(message);
        var insert = db.sql("""
                        INSERT INTO sign_message (message_hash, message, next_attempt_at, claimed_by, claimed_until,
                            created_at)
                        VALUES (:h, :m, :next, :by, :until, :created)""")
                .bind("h", hash).bind("m", message).bind("by", holder).bind("until", until)
                .bind("created", Instant.now());
        insert = next == null ? insert.bindNull("next", Instant.class) : insert.bind("next", next);
        insert.then().block(Duration.ofSeconds(5));
        return new Lease(hash, message, until);
    }

    private Map<String, Object> row(Lease lease) {
        return db.sql("SELECT claimed_by, claimed_until FROM sign_message WHERE message_hash = :h")
                .bind("h", lease.messageHash())
                .map(r -> {
                    Map<String, Object> row = new HashMap<>();
                    row.put("claimed_by", r.get("claimed_by", String.class));
                    row.put("claimed_until", r.get("claimed_until", Instant.class));
                    return row;
                })
                .one().block(Duration.ofSeconds(5));
    }
}
