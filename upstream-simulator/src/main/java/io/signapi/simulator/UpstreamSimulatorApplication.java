package io.signapi.simulator;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * A stand-in for the upstream signing API, for local runs, tests and benchmarks. No component scan: the package
 * also holds {@link SimulatorServer}'s minimal configuration, which must not be picked up here.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(SimulatorConfiguration.class)
public class UpstreamSimulatorApplication {

    /** Its own config file name, so it never reads another app's application.yml. */
    static final String CONFIG_NAME = "upstream-simulator";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(UpstreamSimulatorApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }
}
