package io.signapi.testsupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mariadb.MariaDBContainer;

/**
 * The Kafka, MariaDB and Redis of a {@code -Pcontainers} run ({@code signapi.test.containers=true}): one container
 * each, shared by every test context of the JVM, started on first use; without the property the tests use the
 * embedded broker and the machine's MariaDB and Redis. The images are the build's versions (Kafka's from the
 * kafka-clients on the classpath), as in docker-compose.yml.
 */
public final class TestContainers {

    /** The system property the {@code containers} Maven profile sets. */
    public static final String PROPERTY = "signapi.test.containers";

    static final String KAFKA_IMAGE = "apache/kafka:" + AppInfoParser.getVersion();
    static final String MARIADB_IMAGE = "mariadb:10.11";
    static final String REDIS_IMAGE = "redis:7";
    static final String DB_USER = "root";
    static final String DB_PASSWORD = "test";

    private TestContainers() {
    }

    /** Whether this run uses containers, from the system property (any case of {@code true}). */
    public static boolean enabled(Function<String, String> systemProperties) {
        return Boolean.parseBoolean(systemProperties.apply(PROPERTY));
    }

    static boolean enabled() {
        return enabled(System::getProperty);
    }

    /** Where the three services answer, starting them on the first call. */
    static Endpoints endpoints() {
        return Shared.ENDPOINTS;
    }

    /** Creates topics on the containers' broker, as {@code @EmbeddedKafka(topics)} does on the embedded one. */
    static void createTopics(String bootstrapServers, List<String> topics, int partitions) {
        if (topics.isEmpty()) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topics " + topics, e);
        }
    }

    /**
     * Where the stores answer: the containers' mapped ports, or the machine's own.
     *
     * @param kafkaBootstrapServers null for the embedded broker
     */
    record Endpoints(String kafkaBootstrapServers, String mariadb, String dbUser, String dbPassword, String redisHost,
            int redisPort) {

        /** The machine's MariaDB and Redis, as every module's {@code application.yml} points at them. */
        static final Endpoints LOCAL = new Endpoints(null, TestStoresFactory.MARIADB, null, null, null, 0);

        boolean local() {
            return kafkaBootstrapServers == null;
        }
    }

    /** Started once, when a test context first asks; Testcontainers' reaper removes them when the JVM ends. */
    private static final class Shared {

        static final Endpoints ENDPOINTS = start();

        @SuppressWarnings("resource") // they live as long as the JVM
        private static Endpoints start() {
            KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE).withEnv("KAFKA_HEAP_OPTS", "-Xmx512m");
            MariaDBContainer mariadb = new MariaDBContainer(MARIADB_IMAGE)
                    .withUsername(DB_USER).withPassword(DB_PASSWORD);
            GenericContainer<?> redis = new GenericContainer<>(REDIS_IMAGE).withExposedPorts(6379);
            List.of(kafka, mariadb, redis).parallelStream().forEach(GenericContainer::start);
            return new Endpoints(kafka.getBootstrapServers(), mariadb.getHost() + ":" + mariadb.getMappedPort(3306),
                    DB_USER, DB_PASSWORD, redis.getHost(), redis.getMappedPort(6379));
        }
    }
}
