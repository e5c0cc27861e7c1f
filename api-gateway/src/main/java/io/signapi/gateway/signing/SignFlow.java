package io.signapi.gateway.signing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import io.signapi.common.backlog.BacklogStats;
import io.signapi.common.event.SignRequested;
import io.signapi.gateway.backlog.BacklogReader;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.common.config.SigningProperties;
import io.signapi.gateway.kafka.EventPublisher;
import io.signapi.gateway.problem.InvalidRequestException;
import io.signapi.gateway.problem.UnavailableException;
import io.signapi.gateway.signing.IdempotencyStore.Entry;
import io.signapi.gateway.signing.IdempotencyStore.State;
import io.signapi.gateway.status.StatusMarkers;
import reactor.core.publisher.Mono;

/**
 * The path of a signing request (docs/ARCHITECTURE.md, "HTTP API"): idempotency, cache, one direct attempt when the budget
 * allows, else admission control and a durable Kafka record before a 202. Every step is bounded so that the whole
 * stays within {@code gateway.deadline}.
 */
@Service
public class SignFlow {

    private static final Logger log = LoggerFactory.getLogger(SignFlow.class);

    private final SignatureCache cache;
    private final IdempotencyStore idempotency;
    private final DirectSigner direct;
    private final BacklogReader backlog;
    private final EventPublisher publisher;
    private final StatusMarkers markers;
    private final Clock clock;
    private final Duration deadline;
    private final Duration maxAge;
    private final Duration kafkaRetryAfter;
    private final Duration degradedRecovery;

    SignFlow(SignatureCache cache, IdempotencyStore idempotency, DirectSigner direct, BacklogReader backlog,
            EventPublisher publisher, StatusMarkers markers, Clock clock, GatewayProperties gateway,
            SigningProperties signing) {
        this.cache = cache;
        this.idempotency = idempotency;
        this.direct = direct;
        this.backlog = backlog;
        this.publisher = publisher;
        this.markers = markers;
        this.clock = clock;
        this.deadline = gateway.deadline();
        this.maxAge = signing.maxAge();
        this.kafkaRetryAfter = gateway.acceptTimeout().multipliedBy(2);
        this.degradedRecovery = Duration.ofNanos((long) (gateway.degradedRecovery()
                * backlog.upstream().rateLimit().window().toNanos()));
    }

    /**
     * Signs now or accepts for later.
     *
     * @param freshId the id a new request gets when it carries no {@code Idempotency-Key}
     */
    public Mono<SignResult> sign(SignCommand command, UUID freshId) {
        Deadline started = Deadline.start(deadline);
        String key = command.idempotencyKey();
        if (key == null) {
            return cache.lookup(command.messageHash())
                    .flatMap(cached -> cached.signature() != null
                            ? Mono.just(signed(command, null, cached.signature(), SignResult.Source.CACHED))
                            : tryDirectThenAccept(command, freshId, cached, started));
        }
        UUID derivedId = RequestIds.forIdempotencyKey(key, command.messageHash());
        return Mono.zip(idempotency.find(key), cache.lookup(command.messageHash()))
                .flatMap(found -> {
                    Optional<Entry> prior = found.getT1();
                    SignatureCache.Lookup cached = found.getT2();
                    if (prior.isPresent()) {
                        return repeat(command, prior.get(), cached, started);
                    }
                    if (cached.signature() != null) {
                        Entry entry = new Entry(derivedId, command.messageHash(), State.SIGNED, null);
                        idempotency.claim(key, entry).subscribe();
                        return Mono.just(signed(command, derivedId, cached.signature(), SignResult.Source.CACHED));
                    }
                    Entry entry = new Entry(derivedId, command.messageHash(), State.PENDING, null);
                    return idempotency.claim(key, entry).flatMap(taken -> taken.isPresent()
                            ? repeat(command, taken.get(), cached, started)
                            : tryDirectThenAccept(command, derivedId, cached, started));
                });
    }

    /** A request whose key is already known: the original outcome, or a retry of a request that never became durable. */
    private Mono<SignResult> repeat(SignCommand command, Entry prior, SignatureCache.Lookup cached, Deadline started) {
        if (!prior.messageHash().equals(command.messageHash())) {
            return Mono.error(InvalidRequestException.unprocessable(SignRequestValidator.IDEMPOTENCY_KEY,
                    "was already used with a different message"));
        }
        UUID requestId = prior.requestId();
        String signature = cached.signature() != null ? cached.signature() : prior.signature();
        if (signature != null) {
            return Mono.just(signed(command, requestId, signature, SignResult.Source.CACHED));
        }
        if (prior.state() == State.ACCEPTED) {
            log.debug("repeat of accepted request {} hash={}", requestId, command.messageHash());
            return backlog.current().map(stats -> accepted(command, requestId, stats, cached.backoff(), false));
        }
        return tryDirectThenAccept(command, requestId, cached, started);
    }

    private Mono<SignResult> tryDirectThenAccept(SignCommand command, UUID requestId, SignatureCache.Lookup cached,
            Deadline started) {
        // Without Redis the budget fails closed anyway; skipping saves its timeout.
        Mono<DirectSigner.Result> attempt = cached.backoff() || !cached.reachable()
                ? Mono.just(DirectSigner.Result.NOT_SIGNED)
                : direct.attempt(command, started);
        // The backlog figures are read alongside the attempt, so the accept path does not wait for them.
        return Mono.zip(attempt, backlog.current()).flatMap(both -> {
            DirectSigner.Result result = both.getT1();
            if (result instanceof DirectSigner.Result.Signed success) {
                UUID id = command.idempotencyKey() != null ? requestId : null;
                if (id != null) {
                    idempotency.save(command.idempotencyKey(),
                            new Entry(id, command.messageHash(), State.SIGNED, null)).subscribe();
                }
                return Mono.just(signed(command, id, success.signature(), SignResult.Source.DIRECT));
            }
            Instant directFailedAt =
                    result instanceof DirectSigner.Result.Degraded degraded ? degraded.failedAt() : null;
            return accept(command, requestId, directFailedAt, cached.backoff() || directFailedAt != null, both.getT2());
        });
    }

    private Mono<SignResult> accept(SignCommand command, UUID requestId, @Nullable Instant directFailedAt,
            boolean degraded, Optional<BacklogStats> stats) {
        Instant now = clock.instant();
        if (stats.isPresent() && !stats.get().canServeWithin(maxAge, now, backlog.upstream())) {
            log.warn("request hash={} refused: the backlog cannot be served within {}", command.messageHash(), maxAge);
            return Mono.error(new UnavailableException(
                    "The backlog is too long to sign this message within " + maxAge + "; it was not accepted.",
                    backlog.upstream().rateLimit().window()));
        }
        SignRequested event = new SignRequested(requestId, command.message(), command.email(), command.webhook(),
                command.idempotencyKey(), now, directFailedAt);
        SignResult.Accepted accepted = accepted(command, requestId, stats, degraded, true);
        Mono<Void> remember = command.idempotencyKey() == null ? Mono.empty()
                : idempotency.save(command.idempotencyKey(),
                        new Entry(requestId, command.messageHash(), State.ACCEPTED, null));
        return publisher.publishRequest(event)
                .onErrorMap(e -> new UnavailableException(
                        "The request could not be made durable in time; it was not accepted.", kafkaRetryAfter))
                .then(Mono.when(markers.write(requestId, now, accepted.estimatedReadyAt()), remember))
                .doOnSuccess(done -> log.debug("accepted request {} hash={} directFailedAt={}", requestId,
                        command.messageHash(), directFailedAt))
                .thenReturn(accepted);
    }

    /**
     * A degraded message is not signed before the upstream recovers, however short the backlog; a new request
     * counts the ones accepted before it since the last figures.
     */
    private SignResult.Accepted accepted(SignCommand command, UUID requestId, Optional<BacklogStats> stats,
            boolean degraded, boolean fresh) {
        Instant now = clock.instant();
        Instant estimate = fresh ? backlog.estimateForNew(stats, now) : backlog.estimateReadyAt(stats, now);
        Instant recovered = now.plus(degradedRecovery);
        if (degraded && estimate.isBefore(recovered)) {
            estimate = recovered;
        }
        return new SignResult.Accepted(requestId, estimate, command.deliveryDetail());
    }

    private static SignResult signed(SignCommand command, @Nullable UUID requestId, String signature,
            SignResult.Source source) {
        return new SignResult.Signed(requestId, command.message(), signature, source);
    }
}
