package io.signapi.common.health;

import java.time.Duration;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ValidationDepth;
import reactor.core.publisher.Mono;

/**
 * MySQL reachability: one connection from the pool, validated against the server, within a bounded time. It replaces
 * Spring Boot's {@code r2dbc} indicator, which has no bound: with MySQL unreachable but not refusing (a hung network,
 * a paused proxy) its validation never ends, and readiness gives no answer instead of {@code DOWN}. The worker and
 * the notifier register it as the bean {@code r2dbcHealthIndicator}, the contributor {@code r2dbc}.
 */
public class DatabaseHealthIndicator extends AbstractReactiveHealthIndicator {

    private final ConnectionFactory connections;
    private final Duration timeout;

    public DatabaseHealthIndicator(ConnectionFactory connections, Duration timeout) {
        super("MySQL health check failed");
        this.connections = connections;
        this.timeout = timeout;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        return Mono.usingWhen(connections.create(),
                        connection -> Mono.from(connection.validate(ValidationDepth.REMOTE)),
                        Connection::close)
                .timeout(timeout)
                .map(valid -> (valid ? builder.up() : builder.down()).withDetail("validationQuery", "validate(REMOTE)")
                        .build());
    }
}
