package io.signapi.gateway.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.signapi.gateway.backlog.BacklogReader;
import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.problem.InvalidRequestException;
import io.signapi.gateway.problem.NotFoundException;
import io.signapi.gateway.problem.UnavailableException;
import io.signapi.gateway.status.RequestRecords.RequestRecord;
import reactor.core.publisher.Mono;

/**
 * {@code GET /crypto/sign/requests/{id}}: MySQL first, then the Redis marker that bridges the moment before the
 * worker records a request.
 */
@RestController
class StatusController {

    private static final Logger log = LoggerFactory.getLogger(StatusController.class);
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final RequestRecords records;
    private final StatusMarkers markers;
    private final BacklogReader backlog;
    private final Clock clock;

    StatusController(RequestRecords records, StatusMarkers markers, BacklogReader backlog, Clock clock) {
        this.records = records;
        this.markers = markers;
        this.backlog = backlog;
        this.clock = clock;
    }

    @GetMapping("/crypto/sign/requests/{id}")
    Mono<ResponseEntity<RequestStatus>> status(@PathVariable String id) {
        if (!CANONICAL_UUID.matcher(id).matches()) {
            return Mono.error(InvalidRequestException.badRequest("id", "must be a UUID"));
        }
        UUID requestId = UUID.fromString(id);
        return records.find(requestId)
                .map(Lookup::found)
                .defaultIfEmpty(Lookup.ABSENT)
                .onErrorResume(e -> {
                    log.warn("request {} could not be read from MySQL: {}", requestId, e.toString());
                    return Mono.just(Lookup.FAILED);
                })
                .flatMap(lookup -> lookup.record() != null ? fromRecord(requestId, lookup.record())
                        : fromMarker(requestId, lookup.failed()))
                .map(status -> ResponseEntity.ok().header(RequestIdFilter.HEADER, id).body(status));
    }

    private Mono<RequestStatus> fromRecord(UUID requestId, RequestRecord record) {
        boolean signed = "SIGNED".equals(record.status());
        boolean pending = "PENDING".equals(record.status());
        // The worker's own schedule first; the backlog estimate only until the worker has planned the message.
        Mono<Optional<Instant>> estimate = !pending ? Mono.just(Optional.empty())
                : record.expectedAt() != null ? Mono.just(Optional.of(record.expectedAt()))
                : backlog.current().map(stats -> Optional.of(backlog.estimateReadyAt(stats, clock.instant())));
        return estimate.map(eta -> new RequestStatus(requestId, record.status(), signed ? record.signature() : null,
                record.attempts(), record.createdAt(), record.completedAt(), eta.orElse(null),
                "FAILED".equals(record.status()) ? record.failureReason() : null));
    }

    private Mono<RequestStatus> fromMarker(UUID requestId, boolean databaseFailed) {
        return markers.read(requestId)
                .onErrorResume(e -> {
                    log.warn("status marker of request {} could not be read: {}", requestId, e.toString());
                    // Without MySQL as well we cannot tell an unknown id from a pending one.
                    return databaseFailed ? Mono.error(unavailable()) : Mono.just(Optional.empty());
                })
                .flatMap(marker -> {
                    if (marker.isPresent()) {
                        return Mono.just(new RequestStatus(requestId, "PENDING", null, 0, marker.get().createdAt(),
                                null, marker.get().estimatedReadyAt(), null));
                    }
                    return Mono.error(databaseFailed ? unavailable()
                            : new NotFoundException("No signing request " + requestId + " is known."));
                });
    }

    private static UnavailableException unavailable() {
        return new UnavailableException("The request's status cannot be read right now.", RETRY_AFTER);
    }

    /** What MySQL said: a row, no row, or no answer. */
    private record Lookup(@Nullable RequestRecord record, boolean failed) {
        static final Lookup ABSENT = new Lookup(null, false);
        static final Lookup FAILED = new Lookup(null, true);

        static Lookup found(RequestRecord record) {
            return new Lookup(record, false);
        }
    }

    /** The status body; absent optional members are omitted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RequestStatus(UUID requestId, String status, @Nullable String signature, int attempts, Instant createdAt,
            @Nullable Instant completedAt, @Nullable Instant estimatedReadyAt, @Nullable String failureReason) {
    }
}
