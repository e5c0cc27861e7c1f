package io.signapi.common.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.common.attempt.SignAttempt.Outcome;
import io.signapi.common.budget.Caller;
import io.signapi.common.upstream.UpstreamOutcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignAttemptTest {

    private static final Instant STARTED = Instant.parse("2026-12-01T10:00:00.100Z");
    private static final Instant FINISHED = Instant.parse("2026-12-01T10:00:00.257Z");

    @Test
    void mapsEachSignOutcomeToItsColumnsValues() {
        assertAttempt(new UpstreamOutcome.Signed("sig"), Outcome.SIGNED, 200);
        assertAttempt(new UpstreamOutcome.Degraded(), Outcome.DEGRADED, 502);
        assertAttempt(new UpstreamOutcome.RateLimited(null), Outcome.RATE_LIMITED, 429);
        assertAttempt(new UpstreamOutcome.RateLimited(Duration.ofSeconds(3)), Outcome.RATE_LIMITED, 429);
        assertAttempt(new UpstreamOutcome.Rejected(401, "Error 401: Unauthorized."), Outcome.REJECTED, 401);
        assertAttempt(new UpstreamOutcome.Failed("upstream answered 503", 503), Outcome.FAILED, 503);
        assertAttempt(new UpstreamOutcome.Failed("no answer within 1200 ms"), Outcome.FAILED, null);
    }

    @Test
    void takesTheLatencyFromTheTwoInstants() {
        SignAttempt attempt = SignAttempt.of("ab", Caller.WORKER, "host-1", STARTED, FINISHED,
                new UpstreamOutcome.Degraded());

        assertThat(attempt.latency()).isEqualTo(Duration.ofMillis(157));
        assertThat(attempt.caller()).isEqualTo(Caller.WORKER);
        assertThat(attempt.instanceId()).isEqualTo("host-1");
        assertThat(attempt.startedAt()).isEqualTo(STARTED);
        assertThat(attempt.finishedAt()).isEqualTo(FINISHED);
    }

    private static void assertAttempt(UpstreamOutcome outcome, Outcome expected, Integer status) {
        SignAttempt attempt = SignAttempt.of("ab", Caller.GATEWAY, "gw-1", STARTED, FINISHED, outcome);
        assertThat(attempt.outcome()).as("%s", outcome).isEqualTo(expected);
        assertThat(attempt.httpStatus()).as("%s", outcome).isEqualTo(status);
    }
}
