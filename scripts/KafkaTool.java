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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The local stack's Kafka helper for {@code ./stack}: lists the topics, prints a topic as JSON lines,
 * produces a single record, lists a dead-letter topic and replays its records to their source topic, using only the
 * broker's own jars (run from {@code .stack/kafka/lib}).
 *
 * <pre>
 * KafkaTool list BOOTSTRAP
 * KafkaTool dump BOOTSTRAP TOPIC [--follow]
 * KafkaTool produce BOOTSTRAP TOPIC KEY VALUE
 * KafkaTool dlt-list BOOTSTRAP TOPIC.dlt
 * KafkaTool dlt-replay BOOTSTRAP TOPIC.dlt [--request-id ID | --offset PARTITION:OFFSET]
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
            case "dlt-list" -> rest.size() != 1 ? usage() : deadLetters(bootstrap, rest.get(0));
            case "dlt-replay" -> rest.isEmpty() ? usage() : replay(bootstrap, rest.get(0), rest.subList(1, rest.size()));
            default -> usage();
        };
        System.exit(status);
    }

    private static int usage() {
        System.err.println("usage: KafkaTool list BOOTSTRAP | dump BOOTSTRAP TOPIC [--follow]"
                + " | produce BOOTSTRAP TOPIC KEY VALUE | dlt-list BOOTSTRAP TOPIC.dlt"
                + " | dlt-replay BOOTSTRAP TOPIC.dlt [--request-id ID | --offset PARTITION:OFFSET]");
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

    /** A consumer that only reads: no group id, so assigned partitions, nothing committed, no one disturbed. */
    private static KafkaConsumer<byte[], byte[]> reader(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
        try (var consumer = reader(bootstrap)) {
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

    // ---- dead letters -------------------------------------------------------------------------------------------

    /** The header marking a replayed record (io.signapi.common.event.Topics.REPLAY_HEADER; this file uses no app jar). */
    private static final String REPLAY_HEADER = "signapi-replay";
    /** Where a replayed record came from: {@code TOPIC.dlt-PARTITION@OFFSET}. */
    private static final String REPLAY_OF_HEADER = "signapi-replay-of";
    private static final String DLT_SUFFIX = ".dlt";
    private static final int MAX_HEADER_TEXT = 300;

    /** Prints one JSON line per dead letter: where it is, its key and request id, and why it is there. */
    private static int deadLetters(String bootstrap, String topic) throws InterruptedException {
        if (!topic.endsWith(DLT_SUFFIX)) {
            System.err.println("not a dead-letter topic: " + topic + " (they end in " + DLT_SUFFIX + ")");
            return 2;
        }
        int absent = missing(bootstrap, topic);
        if (absent != 0) {
            return absent;
        }
        List<ConsumerRecord<byte[], byte[]>> letters = readAll(bootstrap, topic);
        if (letters == null) {
            return 1;
        }
        for (ConsumerRecord<byte[], byte[]> rec : letters) {
            System.out.println(summary(rec));
        }
        System.err.println(letters.size() + (letters.size() == 1 ? " record" : " records") + " in " + topic);
        return 0;
    }

    /**
     * Re-publishes the selected dead letters (all of them without a selector) to the source topic: the same key,
     * value and partition number, the record's own headers without the dead-letter ones, plus {@code signapi-replay:
     * true} and {@code signapi-replay-of}. Every consumer treats a replay idempotently, so replaying twice is harmless.
     */
    private static int replay(String bootstrap, String topic, List<String> options) throws Exception {
        if (!topic.endsWith(DLT_SUFFIX)) {
            System.err.println("not a dead-letter topic: " + topic + " (they end in " + DLT_SUFFIX + ")");
            return 2;
        }
        String requestId = null;
        Integer partition = null;
        Long offset = null;
        if (options.size() == 2 && options.get(0).equals("--request-id")) {
            requestId = options.get(1);
        } else if (options.size() == 2 && options.get(0).equals("--offset")) {
            String[] at = options.get(1).split(":", -1);
            try {
                partition = Integer.valueOf(at[0]);
                offset = Long.valueOf(at.length == 2 ? at[1] : "x");
            } catch (NumberFormatException e) {
                System.err.println("--offset takes PARTITION:OFFSET, e.g. 0:12; got " + options.get(1));
                return 2;
            }
        } else if (!options.isEmpty()) {
            System.err.println("usage: dlt-replay BOOTSTRAP TOPIC.dlt [--request-id ID | --offset PARTITION:OFFSET]");
            return 2;
        }
        String source = topic.substring(0, topic.length() - DLT_SUFFIX.length());
        int absent = missing(bootstrap, topic);
        if (absent == 0) {
            absent = missing(bootstrap, source);
        }
        if (absent != 0) {
            return absent;
        }
        List<ConsumerRecord<byte[], byte[]>> letters = readAll(bootstrap, topic);
        if (letters == null) {
            return 1;
        }
        List<ConsumerRecord<byte[], byte[]>> chosen = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec : letters) {
            boolean match = requestId != null ? requestId.equals(text(rec.key())) || requestId.equals(requestIdOf(rec))
                    : partition == null || (rec.partition() == partition && rec.offset() == offset);
            if (match) {
                chosen.add(rec);
            }
        }
        if (chosen.isEmpty()) {
            System.err.println("no record in " + topic + " matches"
                    + (requestId != null ? " request id " + requestId
                            : partition != null ? " offset " + partition + ":" + offset : ": it is empty")
                    + " ('./stack dlt list " + topic + "' lists them)");
            return 1;
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int partitions = producer.partitionsFor(source).size();
            for (ConsumerRecord<byte[], byte[]> rec : chosen) {
                // The same partition number keeps the record beside the others of its key, as the recoverer did.
                Integer target = rec.partition() < partitions ? rec.partition() : null;
                ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(source, target, rec.key(), rec.value());
                for (Header header : rec.headers()) {
                    if (!isDeadLetterHeader(header.key())) {
                        out.headers().add(header);
                    }
                }
                out.headers().add(REPLAY_HEADER, "true".getBytes(StandardCharsets.UTF_8));
                out.headers().add(REPLAY_OF_HEADER,
                        (topic + "-" + rec.partition() + "@" + rec.offset()).getBytes(StandardCharsets.UTF_8));
                var meta = producer.send(out).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                System.out.println("replayed " + topic + "-" + rec.partition() + "@" + rec.offset() + " to " + source
                        + "-" + meta.partition() + "@" + meta.offset() + " (key " + text(rec.key()) + ")");
            }
        }
        return 0;
    }

    /** Headers that describe the failure (spring-kafka's, the notifier's) or an earlier replay stay behind. */
    private static boolean isDeadLetterHeader(String key) {
        return key.startsWith("kafka_dlt-") || key.startsWith("springDeserializerException")
                || key.startsWith("notifier-") || key.equals(REPLAY_HEADER) || key.equals(REPLAY_OF_HEADER);
    }

    /** Every record of the topic from its beginning to the end offsets read at start; null when that failed. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        try (var consumer = reader(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                var records = consumer.poll(Duration.ofMillis(200));
                records.forEach(out::add);
                if (!records.isEmpty()) {
                    deadline = System.nanoTime() + TIMEOUT.toNanos();
                } else if (System.nanoTime() > deadline) {
                    System.err.println("gave up reading " + topic + " after " + TIMEOUT.toSeconds() + " s without new records");
                    return null;
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        return out;
    }

    private static String summary(ConsumerRecord<byte[], byte[]> rec) {
        ObjectNode node = JSON.createObjectNode();
        node.put("partition", rec.partition());
        node.put("offset", rec.offset());
        node.put("timestamp", java.time.Instant.ofEpochMilli(rec.timestamp()).toString());
        node.put("key", text(rec.key()));
        JsonNode value = rec.value() == null ? null : parsed(new String(rec.value(), StandardCharsets.UTF_8));
        if (value != null && value.hasNonNull("type")) {
            node.put("type", value.get("type").asText());
        }
        String requestId = requestIdOf(rec);
        if (requestId != null) {
            node.put("requestId", requestId);
        }
        if (value == null) {
            node.put("unreadable", true);
        }
        ObjectNode headers = node.putObject("headers");
        for (Header header : rec.headers()) {
            String key = header.key();
            byte[] bytes = header.value();
            if (bytes == null || key.equals("kafka_dlt-exception-stacktrace") || key.startsWith("springDeserializer")) {
                continue;
            }
            if ((key.equals("kafka_dlt-original-partition")) && bytes.length == 4) {
                headers.put(key, java.nio.ByteBuffer.wrap(bytes).getInt());
            } else if (key.equals("kafka_dlt-original-offset") && bytes.length == 8) {
                headers.put(key, java.nio.ByteBuffer.wrap(bytes).getLong());
            } else if (key.equals("kafka_dlt-original-timestamp") && bytes.length == 8) {
                headers.put(key, java.time.Instant.ofEpochMilli(java.nio.ByteBuffer.wrap(bytes).getLong()).toString());
            } else {
                String text = new String(bytes, StandardCharsets.UTF_8);
                headers.put(key, text.length() > MAX_HEADER_TEXT ? text.substring(0, MAX_HEADER_TEXT) + "…" : text);
            }
        }
        return node.toString();
    }

    /** The value's {@code requestId} member, if the value is a JSON object with one. */
    private static String requestIdOf(ConsumerRecord<byte[], byte[]> rec) {
        if (rec.value() == null) {
            return null;
        }
        JsonNode value = parsed(new String(rec.value(), StandardCharsets.UTF_8));
        return value != null && value.hasNonNull("requestId") ? value.get("requestId").asText() : null;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
