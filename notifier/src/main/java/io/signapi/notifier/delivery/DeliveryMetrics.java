package io.signapi.notifier.delivery;

import java.time.Duration;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The notifier's meters: {@code notifier.deliveries} (channel, outcome), {@code notifier.retries} (channel),
 * {@code notifier.delivery.latency} (channel; from the request's completion to its delivery, a histogram) and
 * {@code notifier.dead.letters}.
 */
@Component
class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Counter deadLetters;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.deadLetters = Counter.builder("notifier.dead.letters")
                .description("Deliveries given up and published to sign.results.dlt")
                .register(registry);
        // Every series exists from the start at zero, so rates and dashboards see it before the first delivery.
        for (Channel channel : Channel.values()) {
            for (Status status : Status.values()) {
                if (status != Status.PENDING) {
                    deliveries(channel, status);
                }
            }
            retries(channel);
            latency(channel);
        }
    }

    void recorded(Channel channel, Status status) {
        deliveries(channel, status).increment();
        if (status == Status.RETRYING) {
            retries(channel).increment();
        }
    }

    void delivered(Channel channel, Duration sinceCompletion) {
        latency(channel).record(sinceCompletion.isNegative() ? Duration.ZERO : sinceCompletion);
    }

    private Counter deliveries(Channel channel, Status status) {
        return Counter.builder("notifier.deliveries")
                .description("Delivery attempts by channel and the status they left the row in")
                .tag("channel", channel.name().toLowerCase())
                .tag("outcome", status.name().toLowerCase())
                .register(registry);
    }

    private Counter retries(Channel channel) {
        return Counter.builder("notifier.retries")
                .description("Delivery attempts that failed and were scheduled again")
                .tag("channel", channel.name().toLowerCase())
                .register(registry);
    }

    private Timer latency(Channel channel) {
        return Timer.builder("notifier.delivery.latency")
                .description("Time from a request's completion to the delivery of its result")
                .tag("channel", channel.name().toLowerCase())
                .publishPercentileHistogram()
                .register(registry);
    }

    void deadLettered() {
        deadLetters.increment();
    }
}
