package io.signapi.simulator;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * A stand-in for the upstream signing API, for local runs, tests and benchmarks. No component scan: the beans are
 * in {@link SimulatorConfiguration}, which test-support's in-process launcher imports on its own.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(SimulatorConfiguration.class)
public class UpstreamSimulatorApplication {

    /** Its own config file name, so it never reads another app's application.yml. */
    public static final String CONFIG_NAME = "upstream-simulator";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(UpstreamSimulatorApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }
}
