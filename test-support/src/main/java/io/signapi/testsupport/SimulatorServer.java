package io.signapi.testsupport;

import io.signapi.simulator.SimulatorConfiguration;
import io.signapi.simulator.UpstreamSimulatorApplication;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.simulator.admin.SimulatorAdmin;
import io.signapi.simulator.admin.Stats;
import io.signapi.simulator.degradation.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Runs the simulator inside a test's JVM: a random port by default, only the auto-configuration a WebFlux server
 * needs (whatever else is on the classpath), and only {@code upstream-simulator.yml}. Tests normally reach it through
 * {@link Simulator}.
 *
 * <pre>{@code
 * try (SimulatorServer upstream = SimulatorServer.start(Map.of("upstream.rate-limit.window", "2s"))) {
 *     String baseUrl = upstream.baseUrl();
 *     ...
 *     assertThat(upstream.stats().rateLimited()).isZero();
 * }
 * }</pre>
 */
public final class SimulatorServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final SimulatorAdmin admin;
    private final int port;

    private SimulatorServer(ConfigurableApplicationContext context) {
        this.context = context;
        this.admin = context.getBean(SimulatorAdmin.class);
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** Starts a simulator with its defaults on a random port. */
    public static SimulatorServer start() {
        return start(Map.of());
    }

    /**
     * Starts a simulator; {@code properties} (e.g. {@code upstream.rate-limit.window}, {@code simulator.seed},
     * {@code server.port}) win over every other source. {@code server.port} is 0 (random) unless given.
     */
    public static SimulatorServer start(Map<String, ?> properties) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("spring.config.name", UpstreamSimulatorApplication.CONFIG_NAME);
        settings.put("server.port", 0);
        settings.putAll(properties);
        List<String> args = new ArrayList<>();
        // Command-line arguments are the property source with the highest precedence.
        settings.forEach((name, value) -> args.add("--" + name + "=" + value));
        SpringApplication app = new SpringApplication(Embedded.class);
        app.setWebApplicationType(WebApplicationType.REACTIVE);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        return new SimulatorServer(app.run(args.toArray(String[]::new)));
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, to use as {@code upstream.base-url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The same figures as {@code GET /__sim/stats}. */
    public Stats stats() {
        return admin.stats();
    }

    /** The call log, oldest first, as {@code GET /__sim/calls}. */
    public List<CallRecord> calls() {
        return admin.calls();
    }

    /** As {@code GET /__sim/plan}: whether the message's first call fails and for how long it then stays degraded. */
    public Plan plan(String message) {
        return admin.plan(message);
    }

    /** As {@code POST /__sim/reset}: clears counters, the log, the rate-limit window and message degradation. */
    public void reset() {
        admin.reset();
    }

    /**
     * As {@code POST /__sim/config}, e.g. {@code Map.of("failureRate", 0, "outage", "hang")} or
     * {@code Map.of("apiKey", "another-key")}; answers the config.
     */
    public Map<String, Object> configure(Map<String, ?> changes) {
        return admin.configure(changes);
    }

    /** Goes back to the config given at start (a {@link #reset()} keeps config changes); answers it. */
    public Map<String, Object> restoreConfig() {
        return admin.restoreConfig();
    }

    /** The whole current config, as {@code GET /__sim/config}. */
    public Map<String, Object> config() {
        return admin.config();
    }

    @Override
    public void close() {
        context.close();
    }

    /** The in-process application: an explicit list of auto-configurations instead of everything on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({
            PropertyPlaceholderAutoConfiguration.class,
            ConfigurationPropertiesAutoConfiguration.class,
            JacksonAutoConfiguration.class,
            CodecsAutoConfiguration.class,
            NettyReactiveWebServerAutoConfiguration.class,
            WebFluxAutoConfiguration.class,
            HttpHandlerAutoConfiguration.class})
    @Import(SimulatorConfiguration.class)
    static class Embedded {

        /**
         * Own event loops: with Reactor Netty's global resources, closing this server would dispose the loops and
         * connection pools of the host's WebClients too.
         */
        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            factory.setShutdownQuietPeriod(Duration.ZERO);
            return factory;
        }
    }
}
