package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.testsupport.TestContainers.Endpoints;
import java.util.Map;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * The selection logic of the {@code -Pcontainers} path, without starting a container (this machine has no Docker
 * engine): which settings a test context gets with and without {@code signapi.test.containers}.
 */
class TestContainersTest {

    static final Endpoints CONTAINERS = new Endpoints("localhost:32771", "localhost:32772", "root", "test",
            "localhost", 32773);

    @Test
    void onlyTheSystemPropertyTrueSelectsContainers() {
        assertThat(TestContainers.enabled(name -> null)).isFalse();
        assertThat(TestContainers.enabled(name -> "false")).isFalse();
        assertThat(TestContainers.enabled(name -> name.equals("signapi.test.containers") ? "true" : null)).isTrue();
        assertThat(TestContainers.enabled(name -> name.equals("signapi.test.containers") ? "TRUE" : null)).isTrue();
        assertThat(TestContainers.enabled(name -> name.equals("another.property") ? "true" : null)).isFalse();
    }

    @Test
    void withoutContainersOnlyTheTestsOwnDatabaseAndRedisDbAreSet() {
        Map<String, Object> local = TestStoresFactory.properties("signapi_it_support", 5, Endpoints.LOCAL);

        assertThat(local).containsOnlyKeys("spring.r2dbc.url", "spring.flyway.url", "spring.data.redis.database")
                .containsEntry("spring.r2dbc.url", "r2dbc:mysql://127.0.0.1:3306/signapi_it_support")
                .containsEntry("spring.data.redis.database", 5);
        assertThat(local).isEqualTo(TestStoresFactory.properties("signapi_it_support", 5));
    }

    @Test
    void withContainersKafkaMariadbAndRedisPointAtTheContainers() {
        Map<String, Object> containers = TestStoresFactory.properties("signapi_it_worker", 3, CONTAINERS);

        assertThat(containers)
                .containsEntry("spring.kafka.bootstrap-servers", "localhost:32771")
                .containsEntry("spring.r2dbc.url", "r2dbc:mysql://localhost:32772/signapi_it_worker")
                .containsEntry("spring.flyway.url",
                        "jdbc:mariadb://localhost:32772/signapi_it_worker?createDatabaseIfNotExist=true")
                .containsEntry("spring.r2dbc.username", "root")
                .containsEntry("spring.r2dbc.password", "test")
                .containsEntry("spring.data.redis.host", "localhost")
                .containsEntry("spring.data.redis.port", 32773)
                .containsEntry("spring.data.redis.database", 3);
    }

    @Test
    void theContainerImagesAreTheBuildsVersions() {
        assertThat(TestContainers.KAFKA_IMAGE).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(TestContainers.MARIADB_IMAGE).isEqualTo("mariadb:10.11");
        assertThat(TestContainers.REDIS_IMAGE).isEqualTo("redis:7");
    }

    @Test
    void withContainersTheEmbeddedBrokerIsNotStarted() {
        GenericApplicationContext context = new GenericApplicationContext();
        context.registerBean("embeddedKafka", EmbeddedKafkaBroker.class, () -> {
            throw new AssertionError("the embedded broker must not be created");
        });
        context.registerBean("other", String.class, () -> "kept");

        new TestStoresFactory.WithoutEmbeddedBroker().postProcessBeanDefinitionRegistry(context);

        assertThat(context.containsBeanDefinition("embeddedKafka")).isFalse();
        assertThat(context.containsBeanDefinition("other")).isTrue();
    }

    @Test
    void aContainersContextIsCachedApartFromALocalOne() {
        TestStoresFactory factory = new TestStoresFactory();
        Object local = factory.createContextCustomizer(TestStoresFactoryTest.AnIntegrationTest.class, java.util.List.of());
        String before = System.getProperty(TestContainers.PROPERTY);
        System.setProperty(TestContainers.PROPERTY, "true");
        try {
            Object containers = factory.createContextCustomizer(TestStoresFactoryTest.AnIntegrationTest.class,
                    java.util.List.of());
            assertThat(containers).isNotEqualTo(local);
            assertThat(containers.toString()).contains("containers=true", "topics=[sign.requests]", "partitions=3");
        } finally {
            if (before == null) {
                System.clearProperty(TestContainers.PROPERTY);
            } else {
                System.setProperty(TestContainers.PROPERTY, before);
            }
        }
    }
}
