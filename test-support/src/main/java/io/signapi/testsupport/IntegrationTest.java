package io.signapi.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.annotation.AliasFor;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;

/**
 * The whole application on a random port with a WebTestClient, an embedded KRaft broker, the {@code test} profile,
 * and its own MariaDB database and Redis database on the machine's servers.
 *
 * <pre>{@code
 * @IntegrationTest(database = "signapi_it_worker", redisDatabase = 3)
 * class RetryIntegrationTest {
 *     @Autowired CleanSlate cleanSlate;
 *     @BeforeEach void clean() { cleanSlate.wipe(); }
 * }
 * }</pre>
 *
 * {@link #database()} and {@link #redisDatabase()} become {@code spring.r2dbc.url}, {@code spring.flyway.url} and
 * {@code spring.data.redis.database} (see {@link TestStoresFactory}); {@code @TestPropertySource} or
 * {@code @SpringBootTest(properties)} of a test still win over them. A {@link CleanSlate} bean for that database and
 * Redis db is in the context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ActiveProfiles("test")
public @interface IntegrationTest {

    /** The module's own MariaDB database, e.g. {@code signapi_it_worker}; must start with {@code signapi_it_}. */
    String database();

    /** The module's own Redis logical database, e.g. 3; never 0 (the local stack's). */
    int redisDatabase();

    /** Topics the broker creates before the context starts; the apps' {@code NewTopic} beans create the rest. */
    @AliasFor(annotation = EmbeddedKafka.class, attribute = "topics")
    String[] topics() default {};

    /** Partitions of each of {@link #topics()}. */
    @AliasFor(annotation = EmbeddedKafka.class, attribute = "partitions")
    int partitions() default 2;

    /** Extra broker settings, e.g. {@code "auto.create.topics.enable=false"}. */
    @AliasFor(annotation = EmbeddedKafka.class, attribute = "brokerProperties")
    String[] brokerProperties() default {};
}
