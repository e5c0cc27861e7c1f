package io.signapi.simulator.admin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Counts the calls by outcome and keeps the most recent ones in a bounded log. */
public class CallRecorder {

    public static final String SIGN_PATH = "/crypto/sign";
    public static final String VERIFY_PATH = "/crypto/verify";

    private final int capacity;
    private final Deque<Call> log = new ArrayDeque<>();
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

    /** Logs a call as it is decided; the caller stamps its completion on the returned entry. */
    public synchronized Call record(long at, String path, String message, String caller, CallOutcome outcome) {
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
        Call call = new Call(at, path, message, outcome.status(), caller);
        log.addLast(call);
        return call;
    }

    public synchronized Stats stats(int maxInWindow, int limit, long windowMillis) {
        return new Stats(signCalls + verifyCalls, signCalls, verifyCalls, successes, failures, rateLimited,
                unauthorized, badRequests, hung, maxInWindow, limit, windowMillis, dropped);
    }

    /** The logged calls, oldest first. */
    public synchronized List<CallRecord> calls() {
        return log.stream().map(Call::snapshot).toList();
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

    /** A logged call; its completion instant is stamped once, when the answer goes out or the call is cancelled. */
    public static final class Call {

        private final long at;
        private final String path;
        private final String message;
        private final int status;
        private final String caller;
        private volatile Long completedAt;

        private Call(long at, String path, String message, int status, String caller) {
            this.at = at;
            this.path = path;
            this.message = message;
            this.status = status;
            this.caller = caller;
        }

        /** Stamps the completion; a later stamp (a cancel after the answer) is ignored. */
        public synchronized void completed(long atMillis) {
            if (completedAt == null) {
                completedAt = atMillis;
            }
        }

        CallRecord snapshot() {
            return new CallRecord(at, path, message, status, caller, completedAt);
        }
    }
}
