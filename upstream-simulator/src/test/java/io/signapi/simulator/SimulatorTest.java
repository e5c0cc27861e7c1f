package io.signapi.simulator;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/** The packaged application on a random port with near-zero latency and the rate limit lifted; tests narrow it. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=upstream-simulator",
        "simulator.latency-min=0ms",
        "simulator.latency-max=5ms",
        "upstream.rate-limit.limit=100000"})
@AutoConfigureWebTestClient
public @interface SimulatorTest {
}
