package io.signapi.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class CachePropertiesTest {

    @Test
    void keepsACachedSignatureThirtyDaysByDefault() {
        CacheProperties props = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("cache", CacheProperties.class);

        assertThat(props.signatureTtl()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void readsTheExpiryFromTheEnvironment() {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("CACHE_SIGNATURE_TTL", "7d")));

        CacheProperties props = new Binder(ConfigurationPropertySources.from(sources))
                .bindOrCreate("cache", CacheProperties.class);

        assertThat(props.signatureTtl()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void refusesAnExpiryBelowOneMillisecond() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("cache.signature-ttl", "0s")));

        assertThatThrownBy(() -> binder.bindOrCreate("cache", CacheProperties.class))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("cache.signature-ttl");
    }
}
