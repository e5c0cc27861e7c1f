package io.signapi.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.signapi.common.MessageHash;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.support.GatewayIntegrationTest;

/** Each direct upstream call leaves one {@code sign_attempt} row naming the gateway instance and the outcome. */
class DirectAttemptRowsIntegrationTest extends GatewayIntegrationTest {

    @Autowired
    GatewayProperties gateway;

    @Test
    void aSignedDirectCallLeavesOneSignedRow() {
        String message = freshMessage();
        Instant before = Instant.now();

        sign(message).expectStatus().isOk();

        assertThat(signCalls()).isEqualTo(1);
        Row row = awaitOneRow(MessageHash.of(message));
        assertThat(row.caller()).isEqualTo("GATEWAY");
        assertThat(row.instanceId()).isEqualTo(gateway.instanceId());
        assertThat(row.outcome()).isEqualTo("SIGNED");
        assertThat(row.httpStatus()).isEqualTo(200);
        assertThat(row.startedAt()).isAfterOrEqualTo(before.minusMillis(1)).isBeforeOrEqualTo(row.finishedAt());
        assertThat(row.latencyMs()).isBetween(0, 2_000);
        assertThat(upstream.calls()).singleElement()
                .satisfies(call -> assertThat(call.caller()).isEqualTo("api-gateway/" + gateway.instanceId()));
    }

    @Test
    void aDegradedDirectCallLeavesOneDegradedRowWith502() {
        upstream.configure(Map.of("outage", "error"));
        String message = freshMessage();

        sign(message).expectStatus().isAccepted();

        assertThat(signCalls()).isEqualTo(1);
        Row row = awaitOneRow(MessageHash.of(message));
        assertThat(row.caller()).isEqualTo("GATEWAY");
        assertThat(row.instanceId()).isEqualTo(gateway.instanceId());
        assertThat(row.outcome()).isEqualTo("DEGRADED");
        assertThat(row.httpStatus()).isEqualTo(502);
    }

    @Test
    void aTimedOutDirectCallLeavesAFailedRowWithoutAStatus() {
        upstream.configure(Map.of("outage", "hang"));
        String message = freshMessage();

        sign(message).expectStatus().isAccepted();

        Row row = awaitOneRow(MessageHash.of(message));
        assertThat(row.outcome()).isEqualTo("FAILED");
        assertThat(row.httpStatus()).isNull();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec sign(String message) {
        return web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(message)).exchange();
    }

    private Row awaitOneRow(String hash) {
        await().atMost(Duration.ofSeconds(5)).until(() -> !rows(hash).isEmpty());
        List<Row> rows = rows(hash);
        assertThat(rows).hasSize(1);
        return rows.getFirst();
    }

    private List<Row> rows(String hash) {
        return db.sql("""
                        SELECT caller, instance_id, started_at, finished_at, outcome, http_status, latency_ms
                        FROM sign_attempt WHERE message_hash = :hash""")
                .bind("hash", hash)
                .map((row, meta) -> new Row(
                        row.get("caller", String.class),
                        row.get("instance_id", String.class),
                        row.get("started_at", Instant.class),
                        row.get("finished_at", Instant.class),
                        row.get("outcome", String.class),
                        row.get("http_status", Integer.class),
                        row.get("latency_ms", Integer.class)))
                .all()
                .collectList()
                .block(Duration.ofSeconds(5));
    }

    private record Row(String caller, String instanceId, Instant startedAt, Instant finishedAt, String outcome,
            Integer httpStatus, Integer latencyMs) {
    }
}
