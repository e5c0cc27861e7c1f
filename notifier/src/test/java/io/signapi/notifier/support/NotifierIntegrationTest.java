package io.signapi.notifier.support;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.signapi.testsupport.TopicRecords;
import io.signapi.common.MessageHash;
import io.signapi.common.event.SignCompleted;
import io.signapi.common.event.Topics;
import io.signapi.notifier.delivery.Channel;
import io.signapi.testsupport.CleanSlate;
import io.signapi.testsupport.HttpReceiver;
import io.signapi.testsupport.IntegrationTest;
import io.signapi.testsupport.MailServer;
import io.signapi.testsupport.TcpProxy;
import jakarta.mail.internet.MimeMessage;

/**
 * The application context the notifier's integration tests share: the whole notifier with an embedded KRaft broker
 * ({@code sign.results} with 3 partitions), the local MariaDB ({@code signapi_it_notifier}), GreenMail as the SMTP
 * server (reached through a proxy, so a test can cut it off) and a local HTTP receiver, with the shrunken schedule
 * of application-test.yml. Each test starts from empty tables, no mail, a forwarding proxy and a fresh receiver; it
 * writes the rows the worker would have written and publishes the events.
 */
@IntegrationTest(database = "signapi_it_notifier", redisDatabase = 4, topics = Topics.SIGN_RESULTS, partitions = 3)
public abstract class NotifierIntegrationTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    // JVM-wide, like the contexts that point at them; not registered as extensions, which would close them per class.
    protected static final MailServer mail = MailServer.shared();
    protected static final TcpProxy smtp = TcpProxy.to(mail.smtpPort());
    protected static final HttpReceiver receiver = HttpReceiver.start();

    @Autowired
    protected DatabaseClient db;

    @Autowired
    protected KafkaTemplate<Object, Object> kafka;

    @Autowired
    private CleanSlate cleanSlate;

    @Autowired
    private EmbeddedKafkaBroker broker;

    /** This context's broker; the system property of that name follows whichever context started last. */
    protected String bootstrapServers;

    @DynamicPropertySource
    static void mailServer(DynamicPropertyRegistry registry) {
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", smtp::port);
    }

    @BeforeEach
    void startFromACleanSlate() {
        bootstrapServers = broker.getBrokersAsString();
        cleanSlate.wipeTables();
        smtp.resume();
        mail.purge();
        receiver.reset();
    }

    /** A 344-character URL-safe base64 signature, as the upstream gives them. */
    protected static String signature() {
        byte[] bytes = new byte[256];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().encodeToString(bytes);
    }

    /** A unique receiver path. */
    protected static String hookPath() {
        return "/hook/" + UUID.randomUUID();
    }

    /** Writes a SIGNED request as the worker would and returns its result event. */
    protected SignCompleted signed(@Nullable String email, @Nullable String webhook) {
        return finished(SignCompleted.Status.SIGNED, "message " + UUID.randomUUID(), signature(), email, webhook,
                null);
    }

    /** Writes a finished request (its sign_message and sign_request rows) and returns its result event. */
    protected SignCompleted finished(SignCompleted.Status status, String message, @Nullable String signature,
            @Nullable String email, @Nullable String webhook, SignCompleted.@Nullable Reason reason) {
        UUID id = UUID.randomUUID();
        String hash = MessageHash.of(message);
        Instant completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var message_ = db.sql("INSERT INTO sign_message (message_hash, message, signature, attempts, signed_at)"
                        + " VALUES (:hash, :message, :signature, 2, :at)")
                .bind("hash", hash)
                .bind("message", message)
                .bind("at", completedAt);
        message_ = signature == null ? message_.bindNull("signature", String.class) : message_.bind("signature",
                signature);
        message_.then().block(Duration.ofSeconds(5));
        var request = db.sql("INSERT INTO sign_request (id, message_hash, email, webhook, status, attempts,"
                        + " completed_at, failure_reason, result_published)"
                        + " VALUES (:id, :hash, :email, :webhook, :status, 2, :at, :reason, TRUE)")
                .bind("id", id.toString())
                .bind("hash", hash)
                .bind("status", status.name())
                .bind("at", completedAt);
        request = email == null ? request.bindNull("email", String.class) : request.bind("email", email);
        request = webhook == null ? request.bindNull("webhook", String.class) : request.bind("webhook", webhook);
        request = reason == null ? request.bindNull("reason", String.class) : request.bind("reason", reason.name());
        request.then().block(Duration.ofSeconds(5));
        return new SignCompleted(id, status, message, signature, email, webhook, 2, completedAt, reason);
    }

    protected void publish(SignCompleted event) {
        try {
            kafka.send(Topics.SIGN_RESULTS, event.requestId().toString(), event).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The notification row of a request and channel, or null. */
    protected @Nullable Map<String, Object> notification(UUID requestId, Channel channel) {
        return db.sql("SELECT * FROM notification WHERE request_id = :id AND channel = :channel")
                .bind("id", requestId.toString())
                .bind("channel", channel.name())
                .fetch().one()
                .block(Duration.ofSeconds(5));
    }

    /** The row's status, or null when there is no row. */
    protected @Nullable String status(UUID requestId, Channel channel) {
        Map<String, Object> row = notification(requestId, channel);
        return row == null ? null : (String) row.get("status");
    }

    protected int attempts(UUID requestId, Channel channel) {
        Map<String, Object> row = notification(requestId, channel);
        return row == null ? 0 : ((Number) row.get("attempts")).intValue();
    }

    /** Every mail GreenMail received since this test began. */
    protected static List<MimeMessage> mails() {
        return mail.received();
    }

    /** The webhook requests received for one path since this test began. */
    protected static List<HttpReceiver.Request> requests(String path) {
        return receiver.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    protected List<TopicRecords.Received> deadLetters() {
        return TopicRecords.readAll(bootstrapServers, Topics.dlt(Topics.SIGN_RESULTS));
    }
}
