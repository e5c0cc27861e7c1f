package io.signapi.common.attempt;

import io.signapi.common.budget.Caller;
import io.signapi.common.upstream.UpstreamOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One upstream sign call as a {@code sign_attempt} row records it (docs/ARCHITECTURE.md, "MySQL").
 *
 * @param messageHash the message's SHA-256, hex
 * @param caller      who called: the gateway's direct call or a worker
 * @param instanceId  the calling process ({@code gateway.instance-id} or the worker's instance id)
 * @param startedAt   when the call was sent
 * @param finishedAt  when its outcome was known (the answer, or the timeout)
 * @param outcome     what the call came to
 * @param httpStatus  the status the upstream answered, or null when there was none (timeout, I/O error)
 * @param latency     how long the call took
 */
public record SignAttempt(
        String messageHash,
        Caller caller,
        String instanceId,
        Instant startedAt,
        Instant finishedAt,
        Outcome outcome,
        Integer httpStatus,
        Duration latency) {

    public SignAttempt {
        Objects.requireNonNull(messageHash, "messageHash");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(latency, "latency");
    }

    /** The attempt a sign call's outcome makes, its status and latency taken from the outcome and the two instants. */
    public static SignAttempt of(String messageHash, Caller caller, String instanceId, Instant startedAt,
            Instant finishedAt, UpstreamOutcome outcome) {
        return new SignAttempt(messageHash, caller, instanceId, startedAt, finishedAt, Outcome.of(outcome),
                httpStatusOf(outcome), Duration.between(startedAt, finishedAt));
    }

    /**
     * The status a sign call's outcome carries: 200, 502, 429, a rejection's 4xx, a failure's status when the
     * upstream answered (a 5xx other than 502), else null.
     */
    public static Integer httpStatusOf(UpstreamOutcome outcome) {
        return switch (outcome) {
            case UpstreamOutcome.Signed signed -> 200;
            case UpstreamOutcome.Degraded degraded -> 502;
            case UpstreamOutcome.RateLimited limited -> 429;
            case UpstreamOutcome.Rejected rejected -> rejected.status();
            case UpstreamOutcome.Failed failed -> failed.status();
        };
    }

    /**
     * The {@code outcome} column's values; {@code PROBE} is the start-up probe of the upstream ({@code GET /},
     * {@code UpstreamProbe}), which signs nothing.
     */
    public enum Outcome {
        SIGNED, DEGRADED, RATE_LIMITED, FAILED, REJECTED, PROBE;

        /** The column value for a sign call's outcome. */
        public static Outcome of(UpstreamOutcome outcome) {
            return switch (outcome) {
                case UpstreamOutcome.Signed signed -> SIGNED;
                case UpstreamOutcome.Degraded degraded -> DEGRADED;
                case UpstreamOutcome.RateLimited limited -> RATE_LIMITED;
                case UpstreamOutcome.Rejected rejected -> REJECTED;
                case UpstreamOutcome.Failed failed -> FAILED;
            };
        }
    }
}
