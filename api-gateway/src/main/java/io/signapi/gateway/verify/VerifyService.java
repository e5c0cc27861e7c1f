package io.signapi.gateway.verify;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

import io.signapi.common.MessageHash;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.config.RedisProperties;
import io.signapi.common.upstream.UpstreamClient;
import io.signapi.common.upstream.UpstreamOutcome;
import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;
import io.signapi.common.upstream.VerifyOutcome;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.problem.FieldProblem;
import io.signapi.gateway.problem.InvalidRequestException;
import io.signapi.gateway.problem.UnavailableException;
import io.signapi.gateway.signing.SignRequestValidator;
import io.signapi.gateway.signing.SignatureCache;
import reactor.core.publisher.Mono;

/**
 * Checks a signature: locally when it equals the one we hold for the message (Redis, then MySQL), otherwise through
 * the upstream with a gateway budget slot, or 503 when no slot is free.
 */
@Service
class VerifyService {

    static final int MAX_SIGNATURE_LENGTH = 1024;
    private static final Logger log = LoggerFactory.getLogger(VerifyService.class);

    private final SignatureCache cache;
    private final DatabaseClient db;
    private final UpstreamBudget budget;
    private final UpstreamClient upstream;
    private final SignRequestValidator validator;
    private final RateLimit rateLimit;
    private final Duration databaseTimeout;
    private final Duration callTimeout;

    VerifyService(SignatureCache cache, DatabaseClient db, UpstreamBudget budget, UpstreamClient upstream,
            SignRequestValidator validator, UpstreamProperties upstreamProperties, GatewayProperties gateway,
            RedisProperties redis) {
        this.cache = cache;
        this.db = db;
        this.budget = budget;
        this.upstream = upstream;
        this.validator = validator;
        this.rateLimit = upstreamProperties.rateLimit();
        this.databaseTimeout = gateway.databaseTimeout();
        // After the local look-ups and the slot, what the deadline leaves, but never more than a direct call gets.
        Duration left = gateway.deadline().minus(redis.timeout().multipliedBy(2)).minus(databaseTimeout);
        this.callTimeout = left.compareTo(gateway.directTimeout()) < 0 ? left : gateway.directTimeout();
    }

    Mono<Boolean> verify(@Nullable String message, @Nullable String signature, Collection<String> repeated) {
        validate(message, signature, repeated);
        String hash = MessageHash.of(message);
        return cache.signature(hash)
                .flatMap(cached -> cached.isPresent() ? Mono.just(cached) : stored(hash))
                .flatMap(held -> held.isPresent() && held.get().equals(signature)
                        ? Mono.just(true)
                        : upstream(message, signature, hash));
    }

    private Mono<Boolean> upstream(String message, String signature, String hash) {
        // Bounded by redis.timeout on the shared Redis path; past it the budget refuses (fail closed).
        return budget.tryAcquire(Caller.GATEWAY)
                .flatMap(admission -> {
                    if (!admission.granted()) {
                        return Mono.error(new UnavailableException(
                                "No upstream capacity is free to verify this signature now.", admission.waitFor()));
                    }
                    return upstream.verify(message, signature, callTimeout).flatMap(outcome -> switch (outcome) {
                        case VerifyOutcome.Verified verified -> Mono.just(verified.valid());
                        case UpstreamOutcome.RateLimited limited -> {
                            budget.pause().subscribe();
                            // Everyone is paused for one window after a 429.
                            yield Mono.error(unavailable(rateLimit.window()));
                        }
                        case UpstreamOutcome.NoResult other -> {
                            log.warn("verify hash={} not answered by the upstream: {}", hash, other);
                            yield Mono.error(unavailable(rateLimit.effectiveMargin()));
                        }
                    });
                });
    }

    private Mono<Optional<String>> stored(String hash) {
        return db.sql("SELECT signature FROM sign_message WHERE message_hash = :hash")
                .bind("hash", hash)
                .map((row, meta) -> Optional.ofNullable(row.get("signature", String.class)))
                .one()
                .timeout(databaseTimeout)
                .defaultIfEmpty(Optional.empty())
                .onErrorResume(e -> Mono.just(Optional.empty()));
    }

    private static UnavailableException unavailable(Duration retryAfter) {
        return new UnavailableException("The upstream could not verify this signature now.", retryAfter);
    }

    private void validate(@Nullable String message, @Nullable String signature, Collection<String> repeated) {
        List<FieldProblem> errors = validator.messageProblems(message, repeated);
        if (signature == null || signature.isBlank()) {
            errors.add(new FieldProblem("signature", "must not be blank"));
        } else if (signature.length() > MAX_SIGNATURE_LENGTH) {
            errors.add(new FieldProblem("signature", "must be at most " + MAX_SIGNATURE_LENGTH + " characters"));
        }
        if (!errors.isEmpty()) {
            throw InvalidRequestException.unprocessable(errors);
        }
    }
}
