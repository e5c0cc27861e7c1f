package io.signapi.gateway.backlog;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.signapi.common.RedisKeys;
import io.signapi.common.backlog.BacklogStats;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.config.RedisAccess;
import reactor.core.publisher.Mono;

/** Reads the worker's {@code backlog:stats} for honest ready-time estimates and admission control. */
@Component
public class BacklogReader {

    private static final Logger log = LoggerFactory.getLogger(BacklogReader.class);
    // With no figures yet, assume the recorded first-call failure rate of about one half: two calls per signature.
    private static final double UNKNOWN_CALLS_PER_SIGNATURE = 2.0;

    private final RedisAccess redis;
    private final UpstreamProperties upstream;
    private final Mono<Optional<BacklogStats>> current;
    private final Duration recoveryAllowance;
    private long countedSince = Long.MIN_VALUE;
    private long acceptedSince;

    public BacklogReader(RedisAccess redis, UpstreamProperties upstream, GatewayProperties gateway) {
        this.redis = redis;
        this.upstream = upstream;
        // One read serves every request for a short while: the worker refreshes the figures far less often.
        this.current = read().cache(gateway.backlogRefresh());
        this.recoveryAllowance = Duration.ofNanos(Math.round(gateway.degradedRecovery()
                * upstream.rateLimit().window().toNanos()));
    }

    /** The current figures; empty when the worker has published none or Redis cannot be read (never errors). */
    public Mono<Optional<BacklogStats>> current() {
        return current;
    }

    private Mono<Optional<BacklogStats>> read() {
        return redis.bounded(redis.template().<String, String>opsForHash().entries(RedisKeys.BACKLOG_STATS)
                        .collectMap(e -> e.getKey(), e -> e.getValue()))
                .map(BacklogStats::fromHash)
                .onErrorResume(e -> {
                    log.debug("backlog figures unavailable: {}", e.toString());
                    return Mono.just(Optional.empty());
                });
    }

    /**
     * When a message queued now would be signed, from the figures or, without them, from an empty backlog: its
     * turn in the backlog, plus, for the share of signatures that need retries (calls per signature − 1, at most
     * 1), {@code gateway.degraded-recovery} windows of recovery.
     */
    public Instant estimateReadyAt(Optional<BacklogStats> stats, Instant now) {
        return estimate(stats, now, 0);
    }

    /**
     * The estimate for a request being accepted now: as {@link #estimateReadyAt}, with the requests this process
     * accepted since the figures were computed counted ahead of it, so the requests of one burst get increasing
     * estimates. The count starts again with each new snapshot ({@code updatedAt}), and without figures with each
     * window.
     */
    public Instant estimateForNew(Optional<BacklogStats> stats, Instant now) {
        long snapshot = stats.map(s -> s.updatedAt().toEpochMilli())
                .orElse(-1 - now.toEpochMilli() / upstream.rateLimit().window().toMillis());
        long ahead;
        synchronized (this) {
            if (snapshot != countedSince) {
                countedSince = snapshot;
                acceptedSince = 0;
            }
            ahead = acceptedSince++;
        }
        return estimate(stats, now, ahead);
    }

    private Instant estimate(Optional<BacklogStats> stats, Instant now, long ahead) {
        BacklogStats figures = stats.orElseGet(() -> new BacklogStats(0, 0, UNKNOWN_CALLS_PER_SIGNATURE, now));
        double retryShare = Math.clamp(figures.callsPerSignature() - 1, 0, 1);
        return figures.estimateReadyAt(now, upstream, ahead)
                .plus(Duration.ofNanos(Math.round(retryShare * recoveryAllowance.toNanos())));
    }

    public UpstreamProperties upstream() {
        return upstream;
    }
}
