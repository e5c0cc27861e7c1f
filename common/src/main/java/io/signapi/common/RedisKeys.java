package io.signapi.common;

import java.util.List;

/**
 * The Redis key names every process shares (docs/ARCHITECTURE.md, "Redis keys"). Redis may evict any key with an
 * expiry ({@code volatile-lru}), so only cache-like keys carry one; the limiter's keys never do.
 */
public final class RedisKeys {

    /**
     * The limiter's sliding-window log, a sorted set scored by Redis time in microseconds; no expiry, the limiter's
     * script trims what has left the window.
     */
    public static final String BUDGET_UPSTREAM = "budget:upstream";

    /**
     * Epoch millis (Redis time) until which the worker has due work; while it lies in the future the gateway leaves
     * the worker reserve free. No expiry: it lapses when the Redis clock passes it.
     */
    public static final String BUDGET_WORKER_WAITING = "budget:worker-waiting";

    /** Epoch millis (Redis time) before which nobody is admitted, set after an upstream 429; no expiry. */
    public static final String BUDGET_PAUSED_UNTIL = "budget:paused-until";

    /** The worker's backlog figures, a hash read by the gateway for estimates and admission control. */
    public static final String BACKLOG_STATS = "backlog:stats";

    /** Every prefix of the project's keys, so that {@code ./stack reset} deletes exactly these and no others. */
    public static final List<String> PREFIXES = List.of("sig:", "backoff:", "req:", "idem:", "budget:", "backlog:");

    private RedisKeys() {
    }

    /** Prints {@link #PREFIXES}, one per line, for {@code ./stack reset}. */
    public static void main(String[] args) {
        PREFIXES.forEach(System.out::println);
    }

    /**
     * Cached signature of a message, with the evictable expiry {@code cache.signature-ttl} (refreshed on a hit); the
     * durable copy is the worker's database row.
     */
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
