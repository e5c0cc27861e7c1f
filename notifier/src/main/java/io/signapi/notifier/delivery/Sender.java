package io.signapi.notifier.delivery;

import reactor.core.publisher.Mono;

/** One delivery channel. A sender never blocks the caller's thread and bounds each attempt in time. */
public interface Sender {

    Channel channel();

    /** One attempt; its errors are reported as an {@link Outcome}, never as an error signal. */
    Mono<Outcome> send(Delivery delivery);
}
