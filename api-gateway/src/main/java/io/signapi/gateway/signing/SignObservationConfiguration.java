package io.signapi.gateway.signing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

import io.micrometer.observation.ObservationPredicate;

/**
 * Leaves {@code /crypto/sign} out of the framework's {@code http.server.requests} observation: the sign path is
 * measured by {@link SignMetricsFilter} ({@code gateway.requests}, {@code gateway.request.latency}), and the cache-hit
 * path should not pay for a second measurement with its tag building on every request.
 */
@Configuration(proxyBeanMethods = false)
class SignObservationConfiguration {

    @Bean
    ObservationPredicate signPathMeasuredBySignMetricsFilter() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext server
                && SignMetricsFilter.PATH.equals(server.getCarrier().getPath().pathWithinApplication().value()));
    }
}
