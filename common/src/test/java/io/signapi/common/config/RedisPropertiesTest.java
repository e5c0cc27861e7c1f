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

class RedisPropertiesTest {

    @Test
    void boundsEachCommandBy150msByDefaultInsideAndOutsideSpring() {
        RedisProperties bound = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("redis", RedisProperties.class);

        assertThat(bound.timeout()).isEqualTo(Duration.ofMillis(150));
        assertThat(RedisProperties.defaults()).isEqualTo(bound);
    }

    @Test
    void takesTheTimeoutFromTheEnvironment() {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("REDIS_TIMEOUT", "80ms")));

        RedisProperties props = new Binder(ConfigurationPropertySources.from(sources))
                .bind("redis", RedisProperties.class).get();

        assertThat(props.timeout()).isEqualTo(Duration.ofMillis(80));
    }

    @Test
    void refusesATimeoutThatIsNotPositive() {
        assertThatThrownBy(() -> new Binder(new MapConfigurationPropertySource(Map.of("redis.timeout", "0ms")))
                .bind("redis", RedisProperties.class))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("redis.timeout must be positive");
    }
}
