package io.signapi.simulator.degradation;

/**
 * What the degradation model holds for one message, as {@code GET /__sim/plan} answers it: the oracle benchmarks
 * compare a client's scheduling with.
 *
 * @param failsFirst whether the message's first admitted sign call answers 502
 * @param degradedMillis how long from that first call the message keeps answering 502; 0 when it signs at once
 */
public record Plan(boolean failsFirst, long degradedMillis) {
}
