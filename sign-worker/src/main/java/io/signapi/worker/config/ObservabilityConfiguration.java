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
import io.signapi.common.upstream.UpstreamProperties;

/** The shared gauges the worker reports: the upstream budget and its consumer group's lag (docs/OPERATIONS.md). */
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
}
