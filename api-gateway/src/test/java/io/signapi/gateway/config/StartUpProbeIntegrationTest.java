package io.signapi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.signapi.common.RedisKeys;
import io.signapi.common.upstream.UpstreamProbe;
import io.signapi.common.upstream.UpstreamProbe.Verdict;
import io.signapi.gateway.support.GatewayIntegrationTest;

/**
 * The gateway's start-up probe as wired (its budget, its attempt rows, its User-Agent): against the tests' simulator
 * with the tests' shrunken budget it is allowed, and each probe takes one slot and leaves one row.
 */
class StartUpProbeIntegrationTest extends GatewayIntegrationTest {

    @Autowired
    UpstreamProbe probe;

    @Autowired
    GatewayProperties gateway;

    @Test
    void theGatewaysProbeFindsTheSimulatorTakesOneSlotAndLeavesOneGatewayRow() {
        Verdict verdict = probe.probe().block(Duration.ofSeconds(10));

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.SIMULATOR);
        assertThat(redis.opsForZSet().size(RedisKeys.BUDGET_UPSTREAM).block(Duration.ofSeconds(5))).isEqualTo(1);
        Map<String, Object> row = db.sql("SELECT caller, instance_id, outcome, http_status, message_hash"
                        + " FROM sign_attempt").fetch().one().block(Duration.ofSeconds(5));
        assertThat(row).containsEntry("caller", "GATEWAY")
                .containsEntry("instance_id", gateway.instanceId())
                .containsEntry("outcome", "PROBE")
                .containsEntry("message_hash", UpstreamProbe.PROBE_MESSAGE_HASH);
        assertThat(((Number) row.get("http_status")).intValue()).isEqualTo(200);
    }
}
