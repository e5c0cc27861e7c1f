package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import java.util.Map;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.TestContextAnnotationUtils;

class TestStoresFactoryTest {

    private final TestStoresFactory factory = new TestStoresFactory();

    @IntegrationTest(database = "signapi_it_support", redisDatabase = 5, topics = "sign.requests", partitions = 3)
    static class AnIntegrationTest {
    }

    static class ItsSubclass extends AnIntegrationTest {
    }

    @IntegrationTest(database = "signapi_it_support", redisDatabase = 5)
    static class TheSameStores {
    }

    @SpringBootTest
    @TestStores(database = "signapi_it_other", redisDatabase = 6)
    static class WithoutKafka {
    }

    @SpringBootTest
    static class Forgotten {
    }

    @IntegrationTest(database = "signapi", redisDatabase = 5)
    static class TheStacksDatabase {
    }

    @IntegrationTest(database = "signapi_it_support", redisDatabase = 0)
    static class TheStacksRedis {
    }

    static class NotASpringTest {
    }

    @Test
    void pointsR2dbcFlywayAndRedisAtTheNamedStoresAndRegistersACleanSlate() {
        GenericApplicationContext context = customized(AnIntegrationTest.class);

        assertThat(context.getEnvironment().getProperty("spring.r2dbc.url"))
                .isEqualTo("r2dbc:mysql://127.0.0.1:3306/signapi_it_support");
        assertThat(context.getEnvironment().getProperty("spring.flyway.url"))
                .isEqualTo("jdbc:mariadb://127.0.0.1:3306/signapi_it_support?createDatabaseIfNotExist=true");
        assertThat(context.getEnvironment().getProperty("spring.data.redis.database")).isEqualTo("5");
        assertThat(context.getBeanFactory().getSingleton("cleanSlate")).isInstanceOf(CleanSlate.class);
    }

    @Test
    void aTestsInlinedPropertiesStillWin() {
        MockEnvironment environment = new MockEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource(
                "Inlined Test Properties", Map.of("spring.data.redis.database", "9")));
        GenericApplicationContext context = new GenericApplicationContext();
        context.setEnvironment(environment);

        customizer(AnIntegrationTest.class).customizeContext(context, null);

        assertThat(environment.getProperty("spring.data.redis.database")).isEqualTo("9");
        assertThat(environment.getProperty("spring.r2dbc.url")).endsWith("/signapi_it_support");
    }

    @Test
    void findsTheStoresOnASuperclassAndWithoutTheBroker() {
        assertThat(customized(ItsSubclass.class).getEnvironment().getProperty("spring.data.redis.database"))
                .isEqualTo("5");
        assertThat(customized(WithoutKafka.class).getEnvironment().getProperty("spring.r2dbc.url"))
                .endsWith("/signapi_it_other");
    }

    @Test
    void sameStoresShareACachedContext() {
        assertThat(customizer(AnIntegrationTest.class)).isEqualTo(customizer(TheSameStores.class))
                .hasSameHashCodeAs(customizer(TheSameStores.class))
                .isNotEqualTo(customizer(WithoutKafka.class));
    }

    @Test
    void refusesASpringBootTestThatNamesNoStoresOrTheStacksOwn() {
        assertThatThrownBy(() -> customizer(Forgotten.class))
                .hasMessageContaining("Forgotten is a @SpringBootTest without its own database");
        assertThatThrownBy(() -> customizer(TheStacksDatabase.class))
                .hasMessageContaining("database = \"signapi\"");
        assertThatThrownBy(() -> customizer(TheStacksRedis.class))
                .hasMessageContaining("redisDatabase = 0");
        assertThat(customizer(NotASpringTest.class)).isNull();
    }

    @Test
    void passesTopicsAndPartitionsToTheEmbeddedBroker() {
        EmbeddedKafka kafka = TestContextAnnotationUtils.findMergedAnnotation(AnIntegrationTest.class,
                EmbeddedKafka.class);

        assertThat(kafka.topics()).containsExactly("sign.requests");
        assertThat(kafka.partitions()).isEqualTo(3);
        assertThat(kafka.bootstrapServersProperty()).isEqualTo("spring.kafka.bootstrap-servers");
        assertThat(MergedAnnotations.from(AnIntegrationTest.class, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
                .get(SpringBootTest.class).getEnum("webEnvironment", SpringBootTest.WebEnvironment.class))
                .isEqualTo(SpringBootTest.WebEnvironment.RANDOM_PORT);
    }

    private ContextCustomizer customizer(Class<?> testClass) {
        return factory.createContextCustomizer(testClass, List.of());
    }

    private GenericApplicationContext customized(Class<?> testClass) {
        GenericApplicationContext context = new GenericApplicationContext();
        context.setEnvironment(new MockEnvironment());
        customizer(testClass).customizeContext(context, null);
        return context;
    }
}
