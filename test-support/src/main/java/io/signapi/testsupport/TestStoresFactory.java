package io.signapi.testsupport;

import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Turns the database and Redis db of {@link IntegrationTest} or {@link TestStores} into the connection settings of the
 * machine's MariaDB and Redis and registers the {@link CleanSlate} bean, and refuses a {@code @SpringBootTest} that
 * names neither (it would use the local stack's data); registered in {@code META-INF/spring.factories}.
 */
public final class TestStoresFactory implements ContextCustomizerFactory {

    /** The machine's MariaDB and Redis, as every module's {@code application.yml} points at them. */
    static final String MARIADB = "127.0.0.1:3306";

    static final String PROPERTY_SOURCE = "testStores";

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        IntegrationTest test = TestContextAnnotationUtils.findMergedAnnotation(testClass, IntegrationTest.class);
        if (test != null) {
            return new Customizer(test.database(), test.redisDatabase());
        }
        TestStores stores = TestContextAnnotationUtils.findMergedAnnotation(testClass, TestStores.class);
        if (stores != null) {
            return new Customizer(stores.database(), stores.redisDatabase());
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
        return Map.of(
                "spring.r2dbc.url", "r2dbc:mysql://" + MARIADB + "/" + database,
                "spring.flyway.url", "jdbc:mariadb://" + MARIADB + "/" + database + "?createDatabaseIfNotExist=true",
                "spring.data.redis.database", redisDatabase);
    }

    private record Customizer(String database, int redisDatabase) implements ContextCustomizer {

        Customizer {
            check(database, redisDatabase);
        }

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            MapPropertySource stores = new MapPropertySource(PROPERTY_SOURCE, properties(database, redisDatabase));
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
}
