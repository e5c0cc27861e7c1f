package io.signapi.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The public HTTP API: answers every signing request within two seconds. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    /**
     * Reactor Netty up to 1.3.7 can stop reading a keep-alive connection when the next request arrives before the
     * previous exchange has terminated (reactor-netty issue 4361); this switch of its own closes that route.
     */
    static final String KEEP_ALIVE_FIX = "reactor.netty.http.server.lastFlushWhenNoRead";

    public static void main(String[] args) {
        if (System.getProperty(KEEP_ALIVE_FIX) == null) {
            System.setProperty(KEEP_ALIVE_FIX, "true");
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}
