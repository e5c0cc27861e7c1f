package io.signapi.common;

/** The Redis key names every process shares (docs/ARCHITECTURE.md, "Redis keys"). */
public final class RedisKeys {

    /** The limiter's sliding-window log, a sorted set scored by Redis time in microseconds. */
    public static final String BUDGET_UPSTREAM = "budget:upstream";

    /** Present while the worker has due work; the gateway then leaves the worker reserve free. */
    public static final String BUDGET_WORKER_WAITING = "budget:worker-waiting";

    /** Epoch millis (Redis time) before which nobody is admitted, set after an upstream 429. */
    public static final String BUDGET_PAUSED_UNTIL = "budget:paused-until";

    /** The worker's backlog figures, a hash read by the gateway for estimates and admission control. */
    public static final String BACKLOG_STATS = "backlog:stats";

    private RedisKeys() {
    }

    /** Cached signature of a message. */
    public static String sig(String messageHash) {
        return "sig:" + messageHash;
    }

    /** A message known to be degraded upstream, until when. */
    public static String backoff(String messageHash) {
        return "backoff:" + messageHash;
    }

    /** Short-lived status marker written before a 202 is answered. */
    public static String req(String requestId) {
        return "req:" + requestId;
    }

    /** The request an {@code Idempotency-Key} stands for. */
    public static String idem(String idempotencyKey) {
        return "idem:" + idempotencyKey;
    }
}
