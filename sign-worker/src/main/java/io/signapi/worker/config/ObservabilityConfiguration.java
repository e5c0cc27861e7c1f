package io.signapi.worker.config;

import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.event.Topics;
import io.signapi.common.metrics.BudgetMetrics;
import io.signapi.common.metrics.ConsumerLagMetrics;
import io.signapi.common.metrics.DeadLetterMetrics;
import io.signapi.common.upstream.UpstreamProperties;

/**
 * The shared gauges the worker reports: the upstream budget, its consumer group's lag, and the records in the
 * dead-letter topics it creates (docs/OPERATIONS.md, "Metrics").
 */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

    @Bean
    BudgetMetrics budgetMetrics(UpstreamBudget budget, UpstreamProperties upstream, MeterRegistry registry) {
        return new BudgetMetrics(budget, upstream.rateLimit().limit(), registry);
    }

    @Bean
    ConsumerLagMetrics consumerLagMetrics(KafkaAdmin admin, WorkerProperties worker, MeterRegistry registry,
            @Value("${spring.kafka.consumer.group-id}") String group) {
        return new ConsumerLagMetrics(admin, group, List.of(Topics.SIGN_REQUESTS, Topics.SIGN_SIGNATURES),
                worker.healthTimeout(), registry);
    }

    @Bean
    DeadLetterMetrics deadLetterMetrics(KafkaAdmin admin, WorkerProperties worker, MeterRegistry registry) {
        return new DeadLetterMetrics(admin, List.of(Topics.dlt(Topics.SIGN_REQUESTS),
                Topics.dlt(Topics.SIGN_SIGNATURES), Topics.dlt(Topics.SIGN_RESULTS)), worker.healthTimeout(), registry);
    }
}
