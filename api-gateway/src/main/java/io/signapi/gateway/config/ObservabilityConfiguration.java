package io.signapi.gateway.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.common.budget.UpstreamBudget;
import io.signapi.common.metrics.BudgetMetrics;
import io.signapi.common.upstream.UpstreamProperties;

/** The shared gauges the gateway reports: the upstream budget (docs/OPERATIONS.md, "Metrics"). */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

    @Bean
    BudgetMetrics budgetMetrics(UpstreamBudget budget, UpstreamProperties upstream, MeterRegistry registry) {
        return new BudgetMetrics(budget, upstream.rateLimit().limit(), registry);
    }
}
