package io.signapi.simulator.ratelimit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The upstream's rate limit as a sliding-window log of admitted calls: a call arriving at {@code t} is admitted only
 * if fewer than {@code limit} calls were admitted in {@code (t - window, t]}; a refused call takes no slot.
 */
public class SlidingWindowLimiter {

    private final int limit;
    private final long windowMillis;
    private final Deque<Long> admitted = new ArrayDeque<>();
    private int maxInWindow;

    public SlidingWindowLimiter(int limit, Duration window) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
    }

    /** Admits or refuses a call stamped {@code atMillis} (epoch millis, on arrival). */
    public synchronized boolean tryAdmit(long atMillis) {
        // Calls racing on two event loops may be stamped a millisecond out of order; keeping the log sorted errs
        // towards refusing, never towards admitting too many.
        long stamp = admitted.isEmpty() ? atMillis : Math.max(atMillis, admitted.peekLast());
        while (!admitted.isEmpty() && admitted.peekFirst() <= stamp - windowMillis) {
            admitted.pollFirst();
        }
        if (admitted.size() >= limit) {
            return false;
        }
        admitted.addLast(stamp);
        // Any window holding the most admitted calls can be slid to end at one of them, so this is the exact maximum.
        maxInWindow = Math.max(maxInWindow, admitted.size());
        return true;
    }

    /** The most calls admitted within any window-length span so far. */
    public synchronized int maxInWindow() {
        return maxInWindow;
    }

    public int limit() {
        return limit;
    }

    public long windowMillis() {
        return windowMillis;
    }

    public synchronized void reset() {
        admitted.clear();
        maxInWindow = 0;
    }
}
