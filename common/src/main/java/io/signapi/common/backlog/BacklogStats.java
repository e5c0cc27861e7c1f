package io.signapi.common.backlog;

import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The worker's backlog figures, kept in the Redis hash {@code backlog:stats}, from which the gateway estimates when a
 * new request will be signed and refuses requests it could not serve in time.
 *
 * @param dueMessages distinct messages waiting for a signature
 * @param pendingRequests requests not yet finished
 * @param callsPerSignature recent upstream calls spent per signature obtained (at least 1)
 * @param updatedAt when the worker computed these figures
 */
public record BacklogStats(long dueMessages, long pendingRequests, double callsPerSignature, Instant updatedAt) {

    static final String DUE_MESSAGES = "dueMessages";
    static final String PENDING_REQUESTS = "pendingRequests";
    static final String CALLS_PER_SIGNATURE = "callsPerSignature";
    static final String UPDATED_AT = "updatedAt";

    public BacklogStats {
        // Fewer than one call per signature is impossible; an unknown ratio is taken as the best case.
        callsPerSignature = Double.isFinite(callsPerSignature) && callsPerSignature >= 1 ? callsPerSignature : 1;
    }

    /** The hash fields as the worker writes them; {@code updatedAt} in epoch millis. */
    public Map<String, String> toHash() {
        return Map.of(
                DUE_MESSAGES, Long.toString(dueMessages),
                PENDING_REQUESTS, Long.toString(pendingRequests),
                CALLS_PER_SIGNATURE, Double.toString(callsPerSignature),
                UPDATED_AT, Long.toString(updatedAt.toEpochMilli()));
    }

    /** Reads the hash back; empty when it is absent or incomplete or unreadable. */
    public static Optional<BacklogStats> fromHash(Map<String, String> hash) {
        if (hash == null || !hash.keySet().containsAll(
                List.of(DUE_MESSAGES, PENDING_REQUESTS, CALLS_PER_SIGNATURE, UPDATED_AT))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BacklogStats(
                    Long.parseLong(hash.get(DUE_MESSAGES)),
                    Long.parseLong(hash.get(PENDING_REQUESTS)),
                    Double.parseDouble(hash.get(CALLS_PER_SIGNATURE)),
                    Instant.ofEpochMilli(Long.parseLong(hash.get(UPDATED_AT)))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * When a message queued now would be signed: the backlog ahead of it plus itself, times the calls each signature
     * costs, served at the whole budget ({@code limit} calls per window plus margin).
     */
    public Instant estimateReadyAt(Instant now, UpstreamProperties props) {
        return estimateReadyAt(now, props, 0);
    }

    /**
     * As {@link #estimateReadyAt(Instant, UpstreamProperties)}, with {@code acceptedSince} more messages ahead: the
     * requests accepted since these figures were computed, which they do not count yet.
     */
    public Instant estimateReadyAt(Instant now, UpstreamProperties props, long acceptedSince) {
        RateLimit rateLimit = props.rateLimit();
        double calls = (Math.max(dueMessages, 0) + Math.max(acceptedSince, 0) + 1) * callsPerSignature;
        double spans = calls / rateLimit.limit();
        long nanos = (long) Math.ceil(spans * rateLimit.span().toNanos());
        return now.plus(Duration.ofNanos(nanos));
    }

    /** Whether a message queued now would be signed within {@code maxAge}, by {@link #estimateReadyAt}. */
    public boolean canServeWithin(Duration maxAge, Instant now, UpstreamProperties props) {
        return !estimateReadyAt(now, props).isAfter(now.plus(maxAge));
    }
}
