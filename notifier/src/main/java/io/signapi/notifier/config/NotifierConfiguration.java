package io.signapi.notifier.config;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.config.SigningProperties;
import io.signapi.common.config.WebhookProperties;
import io.signapi.common.upstream.UpstreamProperties;

/** Wires the shared settings records, the clock and the bounded off-thread paths for blocking mail and Kafka calls. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({UpstreamProperties.class, SigningProperties.class, WebhookProperties.class})
class NotifierConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** JavaMailSender blocks: every send runs on a virtual thread, bounded by {@code notifier.mail-timeout}. */
    @Bean(destroyMethod = "close")
    BoundedCalls mailCalls(NotifierProperties notifier) {
        return new BoundedCalls(notifier.mailTimeout(), "mail-");
    }

    /**
     * A Kafka send blocks for up to {@code max.block.ms} while the broker is unreachable: each publish of a dead
     * letter runs on a virtual thread, bounded by {@code notifier.publish-timeout}.
     */
    @Bean(destroyMethod = "close")
    BoundedCalls kafkaSends(NotifierProperties notifier) {
        return new BoundedCalls(notifier.publishTimeout(), "kafka-send-");
    }
}
