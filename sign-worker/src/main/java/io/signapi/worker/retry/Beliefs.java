package io.signapi.worker.retry;

/**
 * What the slot policy currently believes about the upstream, learned from {@code sign_attempt} and
 * {@code sign_message} (see {@link Learning}).
 *
 * @param firstCallSuccessRate the share of messages whose first call signed, with a prior of one half
 * @param firstCalls           how many first calls that share rests on (besides the prior)
 * @param recovery             how long a degradation lasts from the first failure
 */
public record Beliefs(double firstCallSuccessRate, int firstCalls, RecoveryEstimate recovery) {

    /** The prior's first-call success rate, and its weight in first calls. */
    static final double PRIOR_SUCCESS_RATE = 0.5;
    static final double PRIOR_FIRST_CALLS = 4;

    /** Before anything is learned. */
    public static final Beliefs PRIOR = new Beliefs(PRIOR_SUCCESS_RATE, 0, RecoveryEstimate.prior());

    /** The success rate from {@code signed} of {@code calls} first calls, with the prior as pseudo-calls. */
    static double successRate(long signed, long calls) {
        return (signed + PRIOR_SUCCESS_RATE * PRIOR_FIRST_CALLS) / (calls + PRIOR_FIRST_CALLS);
    }

    /**
     * Upstream calls a signature is expected to cost under the policy: the first call, and for the share that
     * fails, retries each made once its chance has reached {@link SlotPolicy#RETRY_CHANCE}.
     */
    public double expectedCallsPerSignature() {
        return 1 + (1 - firstCallSuccessRate) / SlotPolicy.RETRY_CHANCE;
    }
}
