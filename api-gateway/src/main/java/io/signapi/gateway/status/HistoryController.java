package io.signapi.gateway.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

import io.signapi.gateway.correlation.RequestIdFilter;
import io.signapi.gateway.problem.InvalidRequestException;
import io.signapi.gateway.problem.NotFoundException;
import io.signapi.gateway.problem.UnavailableException;
import io.signapi.gateway.status.HistoryRecords.Attempt;
import io.signapi.gateway.status.HistoryRecords.Notification;
import io.signapi.gateway.status.HistoryRecords.Request;
import reactor.core.publisher.Mono;

/**
 * {@code GET /crypto/sign/requests/{id}/history}: what an operator needs to explain a request from its id, from
 * MySQL only: the request, every upstream attempt for its message, and its deliveries.
 */
@RestController
class HistoryController {

    private static final Logger log = LoggerFactory.getLogger(HistoryController.class);
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final HistoryRecords records;
    private final StatusMarkers markers;

    HistoryController(HistoryRecords records, StatusMarkers markers) {
        this.records = records;
        this.markers = markers;
    }

    @GetMapping("/crypto/sign/requests/{id}/history")
    Mono<ResponseEntity<History>> history(@PathVariable String id) {
        if (!CANONICAL_UUID.matcher(id).matches()) {
            return Mono.error(InvalidRequestException.badRequest("id", "must be a UUID"));
        }
        UUID requestId = UUID.fromString(id);
        return records.request(requestId)
                .flatMap(request -> Mono.zip(records.attempts(request.messageHash()),
                                records.notifications(requestId))
                        .map(both -> History.of(requestId, request, both.getT1(), both.getT2())))
                .onErrorMap(e -> !(e instanceof NotFoundException), e -> {
                    log.warn("history of request {} could not be read from MySQL: {}", requestId, e.toString());
                    return new UnavailableException("The request's history cannot be read right now.", RETRY_AFTER);
                })
                .switchIfEmpty(Mono.defer(() -> fromMarker(requestId)))
                .map(history -> ResponseEntity.ok().header(RequestIdFilter.HEADER, id).body(history));
    }

    /** Accepted but not yet recorded by the worker: nothing has happened to it yet. */
    private Mono<History> fromMarker(UUID requestId) {
        return markers.read(requestId)
                .onErrorResume(e -> {
                    log.warn("status marker of request {} could not be read: {}", requestId, e.toString());
                    return Mono.just(Optional.empty());
                })
                .flatMap(marker -> marker.isPresent()
                        ? Mono.just(new History(requestId, "PENDING", null, 0, marker.get().createdAt(), null, null,
                                List.of(), List.of()))
                        : Mono.error(new NotFoundException("No signing request " + requestId + " is known.")));
    }

    /** The history body; absent optional members are omitted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record History(UUID requestId, String status, @Nullable String messageHash, int attempts, Instant createdAt,
            @Nullable Instant completedAt, @Nullable String failureReason, List<Attempt> upstreamAttempts,
            List<Notification> notifications) {

        static History of(UUID requestId, Request request, List<Attempt> attempts, List<Notification> deliveries) {
            return new History(requestId, request.status(), request.messageHash(), request.attempts(),
                    request.createdAt(), request.completedAt(), request.failureReason(), attempts, deliveries);
        }
    }
}
