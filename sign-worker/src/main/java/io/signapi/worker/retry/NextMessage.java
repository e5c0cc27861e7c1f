package io.signapi.worker.retry;

import java.time.Instant;

import reactor.core.publisher.Flux;

/**
 * Chooses which due message gets the next budget slot: the candidates in order of preference. The chosen one is
 * then leased by {@link Leases}; a candidate another instance leased first is skipped.
 */
public interface NextMessage {

    /** Due, unsigned, unleased messages at {@code now}, best first, at most {@code limit}. */
    Flux<String> candidates(Instant now, int limit);
}
