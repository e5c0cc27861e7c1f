package io.signapi.simulator.admin;

/**
 * One call in the simulator's raw log.
 *
 * @param at arrival time, epoch millis, stamped before any latency
 * @param path {@code /crypto/sign} or {@code /crypto/verify}
 * @param message the message, or null when the call had none
 * @param status the HTTP status answered, or 0 for a call held open by the {@code hang} outage
 */
public record CallRecord(long at, String path, String message, int status) {
}
