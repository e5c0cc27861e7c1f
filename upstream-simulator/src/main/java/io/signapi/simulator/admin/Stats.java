package io.signapi.simulator.admin;

/**
 * Counters since start or the last reset, as {@code GET /__sim/stats} answers them.
 *
 * @param calls every call to {@code /crypto/sign} and {@code /crypto/verify}, whatever the answer
 * @param signCalls the calls to {@code /crypto/sign}
 * @param verifyCalls the calls to {@code /crypto/verify}
 * @param successes sign calls answered 200
 * @param failures sign calls answered 502
 * @param rateLimited calls refused with 429: violations of the rate limit
 * @param unauthorized calls refused with 401
 * @param badRequests calls refused with 400 for a missing message or signature
 * @param hung calls held open by the {@code hang} outage
 * @param maxInWindow the most calls admitted within any window-length span
 * @param limit the rate limit: calls admitted in any window
 * @param windowMillis the rate-limit window
 * @param callLogDropped oldest calls dropped from the call log because it was full
 */
public record Stats(
        long calls,
        long signCalls,
        long verifyCalls,
        long successes,
        long failures,
        long rateLimited,
        long unauthorized,
        long badRequests,
        long hung,
        int maxInWindow,
        int limit,
        long windowMillis,
        long callLogDropped) {
}
