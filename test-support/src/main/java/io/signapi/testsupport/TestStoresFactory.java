package io.signapi.testsupport;

import io.signapi.testsupport.TestContainers.Endpoints;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Turns the database and Redis db of {@link IntegrationTest} or {@link TestStores} into the connection settings of the
 * machine's MariaDB and Redis and registers the {@link CleanSlate} bean, and refuses a {@code @SpringBootTest} that
 * names neither (it would use the local stack's data); registered in {@code META-INF/spring.factories}. With
 * {@code signapi.test.containers=true} (the {@code containers} Maven profile) the same names live in the shared
 * {@link TestContainers} instead, and Kafka is the container's broker rather than the embedded one.
 */
public final class TestStoresFactory implements ContextCustomizerFactory {

    /** The machine's MariaDB and Redis, as every module's {@code application.yml} points at them. */
    static final String MARIADB = "127.0.0.1:3306";

    static final String PROPERTY_SOURCE = "testStores";

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        IntegrationTest test = TestContextAnnotationUtils.findMergedAnnotation(testClass, IntegrationTest.class);
        // Topics matter only on the containers' broker; the embedded one gets them from @EmbeddedKafka itself.
        boolean containers = TestContainers.enabled();
        EmbeddedKafka kafka = containers
                ? TestContextAnnotationUtils.findMergedAnnotation(testClass, EmbeddedKafka.class) : null;
        List<String> topics = kafka == null ? List.of() : Arrays.asList(kafka.topics());
        int partitions = kafka == null ? 0 : kafka.partitions();
        if (test != null) {
            return new Customizer(test.database(), test.redisDatabase(), containers, topics, partitions);
        }
        TestStores stores = TestContextAnnotationUtils.findMergedAnnotation(testClass, TestStores.class);
        if (stores != null) {
            return new Customizer(stores.database(), stores.redisDatabase(), containers, topics, partitions);
        }
        if (TestContextAnnotationUtils.hasAnnotation(testClass, SpringBootTest.class)) {
            throw new IllegalStateException(testClass.getName() + " is a @SpringBootTest without its own database"
                    + " and Redis db: annotate it with @IntegrationTest(database = ..., redisDatabase = ...) or"
                    + " @TestStores(...)");
        }
        return null;
    }

    /** Checks the names so that no test can point at the local stack's data. */
    static void check(String database, int redisDatabase) {
        if (!database.matches("signapi_it_[a-z0-9_]+")) {
            throw new IllegalArgumentException("database = \"" + database
                    + "\": a test database is named signapi_it_<module>");
        }
        if (redisDatabase < 1 || redisDatabase > 15) {
            throw new IllegalArgumentException("redisDatabase = " + redisDatabase
                    + ": a test Redis db is 1-15; db 0 belongs to the local stack");
        }
    }

    static Map<String, Object> properties(String database, int redisDatabase) {
        return properties(database, redisDatabase, Endpoints.LOCAL);
    }

    /** The connection settings for the named stores at the given endpoints (local: only what differs per test). */
    static Map<String, Object> properties(String database, int redisDatabase, Endpoints at) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.r2dbc.url", "r2dbc:mysql://" + at.mariadb() + "/" + database);
        properties.put("spring.flyway.url",
                "jdbc:mariadb://" + at.mariadb() + "/" + database + "?createDatabaseIfNotExist=true");
        properties.put("spring.data.redis.database", redisDatabase);
        if (!at.local()) {
            properties.put("spring.kafka.bootstrap-servers", at.kafkaBootstrapServers());
            properties.put("spring.r2dbc.username", at.dbUser());
            properties.put("spring.r2dbc.password", at.dbPassword());
            properties.put("spring.data.redis.host", at.redisHost());
            properties.put("spring.data.redis.port", at.redisPort());
        }
        return Map.copyOf(properties);
    }

    /**
     * @param containers whether the stores are {@link TestContainers}' (part of the context's cache key)
     * @param topics     the topics the test wants before its context starts, created on the containers' broker
     */
    private record Customizer(String database, int redisDatabase, boolean containers, List<String> topics,
            int partitions) implements ContextCustomizer {

        Customizer {
            check(database, redisDatabase);
        }

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            Endpoints at = containers ? TestContainers.endpoints() : Endpoints.LOCAL;
            if (containers) {
                TestContainers.createTopics(at.kafkaBootstrapServers(), topics, Math.max(partitions, 1));
                context.addBeanFactoryPostProcessor(new WithoutEmbeddedBroker());
            }
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            MapPropertySource stores = new MapPropertySource(PROPERTY_SOURCE, properties(database, redisDatabase, at));
            // Below a test's own inlined and dynamic properties, above every config file.
            String anchor = null;
            for (String name : List.of(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME,
                    "Dynamic Test Properties")) {
                if (sources.contains(name) && (anchor == null
                        || sources.precedenceOf(sources.get(name)) > sources.precedenceOf(sources.get(anchor)))) {
                    anchor = name;
                }
            }
            if (anchor != null) {
                sources.addAfter(anchor, stores);
            } else {
                sources.addFirst(stores);
            }
            ConfigurableListableBeanFactory beans = context.getBeanFactory();
            beans.registerSingleton("cleanSlate", new CleanSlate(database, redisDatabase, beans));
        }
    }

    /** Drops the embedded broker {@code @EmbeddedKafka} registered: the container's broker replaces it. */
    static final class WithoutEmbeddedBroker implements BeanDefinitionRegistryPostProcessor {

        @Override
        public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
            if (registry.containsBeanDefinition("embeddedKafka")) {
                registry.removeBeanDefinition("embeddedKafka");
            }
        }

        @Override
        public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        }
    }
}
