package io.signapi.notifier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class NotifierPropertiesTest {

    private static NotifierProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("notifier", NotifierProperties.class);
    }

    @Test
    void defaultsToTheStandardWebhooksScheduleAndDocumentedBounds() {
        NotifierProperties defaults = bind(Map.of());

        assertThat(defaults.retrySchedule()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
                Duration.ofHours(14), Duration.ofHours(20));
        assertThat(defaults.mailFrom()).isEqualTo("Sign API <no-reply@signapi.local>");
        assertThat(defaults.webhookTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.jitter()).isEqualTo(0.2);
        assertThat(defaults.topics().partitions()).isEqualTo(3);
        assertThat(defaults.instanceId()).isNotBlank();
    }

    @Test
    void bindsAShrunkenSchedule() {
        assertThat(bind(Map.of("notifier.retry-schedule", "200ms,400ms")).retrySchedule())
                .isEqualTo(List.of(Duration.ofMillis(200), Duration.ofMillis(400)));
    }

    @Test
    void refusesALeaseShorterThanADelivery() {
        assertThatThrownBy(() -> bind(Map.of("notifier.lease", "10s")))
                .rootCause().hasMessageContaining("notifier.lease");
    }
}
