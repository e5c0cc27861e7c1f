package io.signapi.gateway.support;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.common.config.SigningProperties;
import io.signapi.common.config.WebhookProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** What the web slices need beyond the web layer: the settings, a meter registry for the metrics filter, a clock. */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties({GatewayProperties.class, SigningProperties.class, WebhookProperties.class})
public class SliceTestConfiguration {

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
