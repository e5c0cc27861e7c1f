package io.signapi.notifier.config;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.event.Topics;
import io.signapi.common.metrics.ConsumerLagMetrics;

/** The shared gauge the notifier reports: its consumer group's lag on {@code sign.results} (docs/OPERATIONS.md). */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

    /** The group of {@code ResultListener}. */
    static final String GROUP = "notifier";

    @Bean
    ConsumerLagMetrics consumerLagMetrics(KafkaAdmin admin, NotifierProperties notifier, MeterRegistry registry) {
        return new ConsumerLagMetrics(admin, GROUP, List.of(Topics.SIGN_RESULTS), notifier.healthTimeout(),
                registry);
    }
}
