package io.signapi.simulator.admin;

/**
 * One call in the simulator's raw log.
 *
 * @param at arrival time, epoch millis, stamped before any latency
 * @param path {@code /crypto/sign} or {@code /crypto/verify}
 * @param message the message, or null when the call had none
 * @param status the HTTP status answered, or 0 for a call held open by the {@code hang} outage
 * @param caller the {@code User-Agent} the client sent (e.g. {@code sign-worker/host-1a2b3c}), or null when none
 * @param completedAt epoch millis when the answer was handed to the server to send (after the latency), or when the
 *     call was cancelled before that (the client went away, e.g. from a call held open by {@code hang}); null while
 *     the call is in flight
 */
public record CallRecord(long at, String path, String message, int status, String caller, Long completedAt) {
}
