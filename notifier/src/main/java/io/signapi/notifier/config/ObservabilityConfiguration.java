package io.signapi.notifier.config;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.event.Topics;
import io.signapi.common.health.DatabaseHealthIndicator;
import io.r2dbc.spi.ConnectionFactory;
import io.signapi.common.metrics.ConsumerLagMetrics;

/** The shared gauge the notifier reports: its consumer group's lag on {@code sign.results} (docs/OPERATIONS.md). */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

    /** The group of {@code ResultListener}. */
    static final String GROUP = "notifier";

    /** MySQL reachability for the readiness group, bounded, as the contributor {@code r2dbc}. */
    @Bean("r2dbcHealthIndicator")
    DatabaseHealthIndicator databaseHealthIndicator(ConnectionFactory connections, NotifierProperties notifier) {
        return new DatabaseHealthIndicator(connections, notifier.healthTimeout());
    }

    @Bean
    ConsumerLagMetrics consumerLagMetrics(KafkaAdmin admin, NotifierProperties notifier, MeterRegistry registry) {
        return new ConsumerLagMetrics(admin, GROUP, List.of(Topics.SIGN_RESULTS), notifier.healthTimeout(),
                registry);
    }
}
