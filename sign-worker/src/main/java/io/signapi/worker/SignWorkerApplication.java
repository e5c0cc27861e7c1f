package io.signapi.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Signs queued requests within the shared upstream budget and records their outcomes. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SignWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SignWorkerApplication.class, args);
    }
}
