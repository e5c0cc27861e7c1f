package io.signapi.simulator.admin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Counts the calls by outcome and keeps the most recent ones in a bounded log. */
public class CallRecorder {

    public static final String SIGN_PATH = "/crypto/sign";
    public static final String VERIFY_PATH = "/crypto/verify";

    private final int capacity;
    private final Deque<CallRecord> log = new ArrayDeque<>();
    private long signCalls;
    private long verifyCalls;
    private long successes;
    private long failures;
    private long rateLimited;
    private long unauthorized;
    private long badRequests;
    private long hung;
    private long dropped;

    public CallRecorder(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void record(long at, String path, String message, CallOutcome outcome) {
        if (SIGN_PATH.equals(path)) {
            signCalls++;
        } else {
            verifyCalls++;
        }
        switch (outcome) {
            case SIGNED -> successes++;
            case DEGRADED -> failures++;
            case RATE_LIMITED -> rateLimited++;
            case UNAUTHORIZED -> unauthorized++;
            case BAD_REQUEST -> badRequests++;
            case HUNG -> hung++;
            case VALID_SIGNATURE, INVALID_SIGNATURE -> {
                // counted as verify calls only
            }
        }
        if (log.size() == capacity) {
            log.pollFirst();
            dropped++;
        }
        log.addLast(new CallRecord(at, path, message, outcome.status()));
    }

    public synchronized Stats stats(int maxInWindow, int limit, long windowMillis) {
        return new Stats(signCalls + verifyCalls, signCalls, verifyCalls, successes, failures, rateLimited,
                unauthorized, badRequests, hung, maxInWindow, limit, windowMillis, dropped);
    }

    /** The logged calls, oldest first. */
    public synchronized List<CallRecord> calls() {
        return List.copyOf(log);
    }

    public synchronized void reset() {
        log.clear();
        signCalls = 0;
        verifyCalls = 0;
        successes = 0;
        failures = 0;
        rateLimited = 0;
        unauthorized = 0;
        badRequests = 0;
        hung = 0;
        dropped = 0;
    }
}
