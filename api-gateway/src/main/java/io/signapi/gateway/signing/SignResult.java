package io.signapi.gateway.signing;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** What the sign flow decided: a signature now, or a durable request for later. */
public sealed interface SignResult {

    /**
     * A signature available now.
     *
     * @param requestId the request id when the request has one (an idempotent request), else null
     * @param source    where the signature came from
     */
    record Signed(@Nullable UUID requestId, String message, String signature, Source source) implements SignResult {
    }

    /** Accepted for later: Kafka acknowledged the request. */
    record Accepted(UUID requestId, Instant estimatedReadyAt, String detail) implements SignResult {
    }

    /** Where a signature answered now came from (the {@code outcome} tag of the request metrics). */
    enum Source {
        CACHED, DIRECT
    }
}
