package io.signapi.common.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class UpstreamPropertiesTest {

    private static UpstreamProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("upstream", UpstreamProperties.class);
    }

    @Test
    void defaultsEverySettingWhenAbsent() {
        UpstreamProperties props = bind(Map.of());

        assertThat(props.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:5005"));
        assertThat(props.apiKey()).isEqualTo("local-dev-key");
        assertThat(props.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(props.rateLimit().limit()).isEqualTo(10);
        assertThat(props.rateLimit().window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(props.rateLimit().margin()).isNull();
        assertThat(props.rateLimit().effectiveMargin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(props.rateLimit().workerReserve()).isEqualTo(5);
        assertThat(props).isEqualTo(UpstreamProperties.defaults());
    }

    @Test
    void defaultsTheRestWhenOnlySomeSettingsArePresent() {
        UpstreamProperties props = new Binder(new MapConfigurationPropertySource(
                Map.of("upstream.rate-limit.window", "2s")))
                .bind("upstream", UpstreamProperties.class).get();

        assertThat(props.rateLimit().window()).isEqualTo(Duration.ofSeconds(2));
        assertThat(props.rateLimit().limit()).isEqualTo(10);
        assertThat(props.rateLimit().workerReserve()).isEqualTo(5);
        assertThat(props.rateLimit().effectiveMargin()).isEqualTo(Duration.ofMillis(250));
        assertThat(props.apiKey()).isEqualTo("local-dev-key");
    }

    @Test
    void bindsEnvironmentVariablesByRelaxedNames() {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                        "UPSTREAM_BASE_URL", "http://localhost:6006",
                        "UPSTREAM_API_KEY", "env-key",
                        "UPSTREAM_TIMEOUT", "3s",
                        "UPSTREAM_RATE_LIMIT_LIMIT", "4",
                        "UPSTREAM_RATE_LIMIT_WINDOW", "3s",
                        "UPSTREAM_RATE_LIMIT_MARGIN", "100ms",
                        "UPSTREAM_RATE_LIMIT_WORKER_RESERVE", "2")));

        UpstreamProperties props = new Binder(ConfigurationPropertySources.from(sources))
                .bind("upstream", UpstreamProperties.class).get();

        assertThat(props.baseUrl()).isEqualTo(URI.create("http://localhost:6006"));
        assertThat(props.apiKey()).isEqualTo("env-key");
        assertThat(props.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(props.rateLimit()).isEqualTo(
                new UpstreamProperties.RateLimit(4, Duration.ofSeconds(3), Duration.ofMillis(100), 2));
        assertThat(props.rateLimit().gatewayShare()).isEqualTo(2);
    }

    @Test
    void bindsKebabCaseProperties() {
        UpstreamProperties props = bind(Map.of(
                "upstream.base-url", "http://127.0.0.1:7007",
                "upstream.rate-limit.worker-reserve", "3",
                "upstream.rate-limit.margin", "1500ms"));

        assertThat(props.baseUrl().getPort()).isEqualTo(7007);
        assertThat(props.rateLimit().workerReserve()).isEqualTo(3);
        assertThat(props.rateLimit().effectiveMargin()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void bindsAShrunkenBudgetAgainstAnyUpstreamAndLeavesTheVerdictToTheStartUpProbe() {
        for (String url : new String[] {"http://127.0.0.1:5005", "http://upstream-simulator:5005",
                "http://10.0.0.5:5005", "https://hiring.api.synthesia.io"}) {
            UpstreamProperties props = bind(Map.of("upstream.base-url", url, "upstream.rate-limit.window", "2s",
                    "upstream.rate-limit.limit", "50"));
            assertThat(props.rateLimit().window()).as(url).isEqualTo(Duration.ofSeconds(2));
            assertThat(props.shrunken()).as(url).isTrue();
        }
    }

    @Test
    void isShrunkenWhenTheWindowIsShorterOrTheLimitHigherThanTheRealUpstreams() {
        assertThat(bind(Map.of()).shrunken()).isFalse();
        assertThat(bind(Map.of("upstream.rate-limit.window", "90s", "upstream.rate-limit.limit", "8")).shrunken())
                .isFalse();
        assertThat(bind(Map.of("upstream.rate-limit.window", "59999ms")).shrunken()).isTrue();
        assertThat(bind(Map.of("upstream.rate-limit.limit", "11")).shrunken()).isTrue();
    }

    @Test
    void countsOnlyLocalhostAndLiteralLoopbackAddressesAsLoopback() {
        for (String url : new String[] {"http://127.0.0.1:5005", "http://localhost:5005", "http://[::1]:5005",
                "http://127.0.0.2:80", "http://sim.localhost:5005"}) {
            assertThat(UpstreamProperties.isLoopback(URI.create(url))).as(url).isTrue();
        }
        for (String url : new String[] {"http://10.0.0.5:5005", "http://192.168.1.2:5005", "http://172.16.0.1",
                "http://169.254.1.1:5005", "http://100.64.0.1:5005", "http://[fd00::1]:5005",
                "http://[::ffff:10.0.0.5]:5005", "http://0.0.0.0:5005", "http://simulator:5005"}) {
            assertThat(UpstreamProperties.isLoopback(URI.create(url))).as(url).isFalse();
        }
    }

    @Test
    void acceptsTheRealUpstreamWithItsOwnBudget() {
        UpstreamProperties props = bind(Map.of("upstream.base-url", "https://hiring.api.synthesia.io",
                "upstream.rate-limit.window", "90s", "upstream.rate-limit.limit", "8"));

        assertThat(props.rateLimit().limit()).isEqualTo(8);
    }

    @Test
    void neverShowsTheApiKey() {
        UpstreamProperties props = bind(Map.of("upstream.api-key", "s3cr3t-key-value"));

        assertThat(props.apiKey()).isEqualTo("s3cr3t-key-value");
        assertThat(props.toString()).doesNotContain("s3cr3t-key-value").contains("apiKey=****");
    }

    @Test
    void refusesAnUpstreamThatIsNotAnHttpUrl() {
        assertThatThrownBy(() -> bind(Map.of("upstream.base-url", "ftp://127.0.0.1/x")))
                .rootCause()
                .hasMessageContaining("absolute http(s) URL");
    }
}
