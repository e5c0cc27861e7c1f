package io.signapi.testsupport;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Empties the test's own database tables and Redis db, through the application's own connections; a bean in every
 * {@link IntegrationTest} context, meant for {@code @BeforeEach}.
 */
public final class CleanSlate {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String TABLES = "SELECT table_name FROM information_schema.tables"
            + " WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history'";

    private final String database;
    private final int redisDatabase;
    private final BeanFactory beans;

    CleanSlate(String database, int redisDatabase, BeanFactory beans) {
        this.database = database;
        this.redisDatabase = redisDatabase;
        this.beans = beans;
    }

    /** {@link #wipeTables()} and {@link #flushRedis()}. */
    public void wipe() {
        wipeTables();
        flushRedis();
    }

    /** Deletes every row of every table of the test database except Flyway's history; keeps the schema. */
    public void wipeTables() {
        ConnectionFactory connections = beans.getBean(ConnectionFactory.class);
        Mono.usingWhen(connections.create(), this::deleteAll, Connection::close).block(TIMEOUT);
    }

    private Mono<Void> deleteAll(Connection connection) {
        return Flux.from(connection.createStatement("SELECT DATABASE()").execute())
                .flatMap(result -> result.map((row, meta) -> row.get(0, String.class)))
                .single()
                .flatMap(current -> {
                    if (!database.equals(current)) {
                        return Mono.error(new IllegalStateException("the application is connected to " + current
                                + ", not to the test database " + database));
                    }
                    return Flux.from(connection.createStatement(TABLES).execute())
                            .flatMap(result -> result.map((row, meta) -> row.get(0, String.class)))
                            .collectList();
                })
                .flatMap(tables -> run(connection, "SET FOREIGN_KEY_CHECKS = 0")
                        .thenMany(Flux.fromIterable(tables).concatMap(table -> run(connection,
                                "DELETE FROM `" + table + "`")))
                        .then(run(connection, "SET FOREIGN_KEY_CHECKS = 1")));
    }

    private static Mono<Void> run(Connection connection, String sql) {
        return Flux.from(connection.createStatement(sql).execute())
                .flatMap(result -> result.getRowsUpdated())
                .then();
    }

    /** {@code FLUSHDB} on the test's Redis db only. */
    public void flushRedis() {
        ReactiveRedisConnectionFactory factory = beans.getBean(ReactiveRedisConnectionFactory.class);
        if (factory instanceof LettuceConnectionFactory lettuce && lettuce.getDatabase() != redisDatabase) {
            throw new IllegalStateException("the application uses Redis db " + lettuce.getDatabase()
                    + ", not the test db " + redisDatabase);
        }
        Mono.usingWhen(Mono.fromSupplier(factory::getReactiveConnection),
                        connection -> connection.serverCommands().flushDb(),
                        ReactiveRedisConnection::closeLater)
                .block(TIMEOUT);
    }
}
