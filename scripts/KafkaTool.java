import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The local stack's Kafka helper for {@code ./stack}: lists the topics, prints a topic as JSON lines,
 * and produces a single record, using only the broker's own jars (run from {@code .stack/kafka/lib}).
 *
 * <pre>
 * KafkaTool list BOOTSTRAP
 * KafkaTool dump BOOTSTRAP TOPIC [--follow]
 * KafkaTool produce BOOTSTRAP TOPIC KEY VALUE
 * </pre>
 */
public final class KafkaTool {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private KafkaTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        String bootstrap = args[1];
        List<String> rest = Arrays.asList(args).subList(2, args.length);
        int status = switch (args[0]) {
            case "list" -> list(bootstrap);
            case "dump" -> rest.isEmpty() ? usage() : dump(bootstrap, rest.get(0), rest.contains("--follow"));
            case "produce" -> rest.size() != 3 ? usage() : produce(bootstrap, rest.get(0), rest.get(1), rest.get(2));
            default -> usage();
        };
        System.exit(status);
    }

    private static int usage() {
        System.err.println("usage: KafkaTool list BOOTSTRAP | dump BOOTSTRAP TOPIC [--follow]"
                + " | produce BOOTSTRAP TOPIC KEY VALUE");
        System.exit(2);
        return 2;
    }

    /** Prints the names of the topics the broker has, one per line (internal ones left out). */
    private static int list(String bootstrap) throws InterruptedException {
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream().sorted()
                    .forEach(System.out::println);
            return 0;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            System.err.println("Kafka at " + bootstrap + " did not answer: " + e.getMessage());
            return 1;
        }
    }

    private static Properties adminProps(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        return props;
    }

    /** Exit status 3 with a clear message when the topic does not exist: the app that owns it creates it at start-up. */
    private static int missing(String bootstrap, String topic) throws InterruptedException {
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            Set<String> names = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (names.contains(topic)) {
                return 0;
            }
            System.err.println("no topic " + topic + " on " + bootstrap + " (yet): the app that owns it creates it at"
                    + " start-up; topics now: " + (names.isEmpty() ? "none" : String.join(", ", names.stream().sorted().toList())));
            return 3;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            System.err.println("Kafka at " + bootstrap + " did not answer: " + e.getMessage());
            return 1;
        }
    }

    /** Prints the topic from its beginning, one JSON object per record, then stops at the end offsets read at start. */
    private static int dump(String bootstrap, String topic, boolean follow) throws InterruptedException {
        int absent = missing(bootstrap, topic);
        if (absent != 0) {
            return absent;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        // No group id: assigned partitions, nothing committed, no other consumer disturbed.
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                System.err.println("no topic " + topic + " on " + bootstrap);
                return 1;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (follow || !reached(consumer, end)) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> rec : records) {
                    System.out.println(line(rec));
                }
                System.out.flush();
                if (!follow && records.isEmpty() && System.nanoTime() > deadline) {
                    System.err.println("gave up reading " + topic + " after " + TIMEOUT.toSeconds() + " s without new records");
                    return 1;
                }
                if (!records.isEmpty()) {
                    deadline = System.nanoTime() + TIMEOUT.toNanos();
                }
            }
            return 0;
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue());
    }

    private static String line(ConsumerRecord<byte[], byte[]> rec) {
        ObjectNode node = JSON.createObjectNode();
        node.put("partition", rec.partition());
        node.put("offset", rec.offset());
        node.put("key", rec.key() == null ? null : new String(rec.key(), StandardCharsets.UTF_8));
        if (rec.value() == null) {
            node.putNull("value");
        } else {
            String text = new String(rec.value(), StandardCharsets.UTF_8);
            JsonNode json = parsed(text);
            if (json == null) {
                node.put("value", text);
            } else {
                node.set("value", json);
            }
        }
        return node.toString();
    }

    private static JsonNode parsed(String text) {
        try {
            JsonNode json = JSON.readTree(text);
            return json == null || json.isMissingNode() ? null : json;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Sends one record with acks=all and waits for the broker's acknowledgement. */
    private static int produce(String bootstrap, String topic, String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            var meta = producer.send(new ProducerRecord<>(topic, key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            System.out.println("produced " + topic + "-" + meta.partition() + "@" + meta.offset());
            return 0;
        }
    }
}
