package io.signapi.simulator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** A stand-in for the upstream signing API, for local runs, tests and benchmarks. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class UpstreamSimulatorApplication {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(UpstreamSimulatorApplication.class);
        // Its own config file name, so it never reads another app's application.yml when run in-process by their tests.
        app.setDefaultProperties(java.util.Map.of("spring.config.name", "upstream-simulator"));
        app.run(args);
    }
}
