package io.signapi.worker.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.worker.config.WorkerProperties;

/**
 * Who gets the next budget slot (docs/ARCHITECTURE.md, "The slot policy"): among the due messages, the one with the
 * best estimated chance that its call signs it.
 *
 * <ul>
 * <li>A message never seen degraded scores the observed first-call success rate p, plus a head start: if its first
 * call fails, that call starts the degradation's clock, which only a first call can do, so the failing share counts
 * {@link #HEAD_START} of a success: p + (1 − p) · {@value #HEAD_START}. A fresh message therefore goes before
 * retries that are merely likely to sign, and after retries that are all but sure to.</li>
 * <li>A degraded message scores P(T &le; t | T &gt; l): t is the time since its first failure, l the time of its
 * latest failure after the first, T the degradation's length as {@link RecoveryEstimate} has learned it. Its chance
 * rises with time. It becomes due again when that chance reaches {@value #RETRY_CHANCE}.</li>
 * <li>A message that has waited {@code worker.max-wait} less one window since it became due goes before every
 * scored one (the longest waiting first), so no due message waits longer than {@code worker.max-wait}.</li>
 * <li>Ties go to the oldest pending request, then to the message hash.</li>
 * </ul>
 * A message still failing where the estimate has (nearly) no mass left is outside what has been learned: it scores
 * the first-call success rate and is tried again one window later.
 */
@Component
public class SlotPolicy {

    /** A degraded message is due again once its estimated chance reaches this. */
    public static final double RETRY_CHANCE = 0.5;
    /** What a failed first call is worth, as a share of a success, for starting the degradation's clock. */
    static final double HEAD_START = 0.9;
    /** Below this much estimate left beyond the latest failure, a message is outside what has been learned. */
    static final double UNCHARTED = 0.01;

    private final Duration window;
    private final Duration maxWait;
    private final Duration urgentAfter;
    private final Duration minimumGap;

    @Autowired
    SlotPolicy(UpstreamProperties upstream, WorkerProperties worker) {
        this(upstream.rateLimit().window(), worker.effectiveMaxWait(upstream));
    }

    SlotPolicy(Duration window, Duration maxWait) {
        this.window = window;
        this.maxWait = maxWait;
        Duration lessAWindow = maxWait.minus(window);
        Duration half = maxWait.dividedBy(2);
        this.urgentAfter = lessAWindow.compareTo(half) > 0 ? lessAWindow : half;
        this.minimumGap = window.dividedBy(8);
    }

    /** The candidates best first. */
    public List<Candidate> order(List<Candidate> due, Beliefs beliefs, Instant now) {
        Comparator<Candidate> byUrgency = Comparator.comparing((Candidate c) -> !urgent(c, now));
        Comparator<Candidate> order = byUrgency
                .thenComparing((a, b) -> urgent(a, now) ? a.nextAttemptAt().compareTo(b.nextAttemptAt())
                        : Double.compare(score(b, beliefs, now), score(a, beliefs, now)))
                .thenComparing(Candidate::oldestRequest)
                .thenComparing(Candidate::messageHash);
        return due.stream().sorted(order).toList();
    }

    /** Whether the candidate has waited so long since it became due that it goes before every scored one. */
    public boolean urgent(Candidate candidate, Instant now) {
        return !Duration.between(candidate.nextAttemptAt(), now).minus(urgentAfter).isNegative();
    }

    /** The candidate's score at {@code now}: its estimated chance of signing, a fresh one's with its head start. */
    public double score(Candidate candidate, Beliefs beliefs, Instant now) {
        double p = beliefs.firstCallSuccessRate();
        if (candidate.fresh()) {
            return p + (1 - p) * HEAD_START;
        }
        return chance(candidate, beliefs, now);
    }

    /** The estimated chance that a call at {@code now} signs the candidate (the first-call rate for a fresh one). */
    public double chance(Candidate candidate, Beliefs beliefs, Instant now) {
        if (candidate.fresh()) {
            return beliefs.firstCallSuccessRate();
        }
        double failing = windows(candidate.firstFailureAt(), candidate.lastFailureAt());
        RecoveryEstimate recovery = beliefs.recovery();
        if (recovery.remaining(failing) < UNCHARTED) {
            return beliefs.firstCallSuccessRate();
        }
        return recovery.chance(windows(candidate.firstFailureAt(), now), failing);
    }

    /**
     * When a message that failed first at {@code firstFailure} and again at {@code at} is due again: once its chance
     * reaches {@link #RETRY_CHANCE}; at least an eighth of a window and at most {@code worker.max-wait} after
     * {@code at}.
     */
    public Instant nextAfterDegraded(Beliefs beliefs, Instant firstFailure, Instant at) {
        RecoveryEstimate recovery = beliefs.recovery();
        double failing = windows(firstFailure, at);
        double due = recovery.remaining(failing) < UNCHARTED ? Double.POSITIVE_INFINITY
                : recovery.timeAtChance(failing, RETRY_CHANCE);
        Instant next = Double.isInfinite(due) ? at.plus(window) : firstFailure.plus(ofWindows(due));
        if (next.isBefore(at.plus(minimumGap))) {
            return at.plus(minimumGap);
        }
        return next.isAfter(at.plus(maxWait)) ? at.plus(maxWait) : next;
    }

    /** The time between two instants in windows (0 when the second is earlier). */
    public double windows(Instant from, Instant to) {
        return Math.max(Duration.between(from, to).toNanos(), 0) / (double) window.toNanos();
    }

    /** A number of windows as a duration. */
    public Duration ofWindows(double windows) {
        return Duration.ofNanos(Math.round(windows * window.toNanos()));
    }

    public Duration window() {
        return window;
    }

    public Duration maxWait() {
        return maxWait;
    }
}
