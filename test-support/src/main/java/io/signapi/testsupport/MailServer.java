package io.signapi.testsupport;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A GreenMail SMTP and IMAP server on dynamic loopback ports, without authentication: JVM-wide for tests that share
 * a Spring context, or one per test class; registered as an extension, its mailboxes are emptied before each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MailServer mail = MailServer.shared();
 *
 * @DynamicPropertySource
 * static void smtp(DynamicPropertyRegistry registry) {
 *     MailServer.shared().register(registry);   // spring.mail.host and spring.mail.port
 * }
 * }</pre>
 *
 * IMAP logins are the address as both user and password.
 */
public final class MailServer implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private static MailServer shared;

    private final boolean jvmWide;
    private GreenMail greenMail;

    private MailServer(boolean jvmWide) {
        this.jvmWide = jvmWide;
    }

    /** The JVM-wide server, started on first use and stopped when the JVM exits. */
    public static synchronized MailServer shared() {
        if (shared == null) {
            shared = new MailServer(true);
            GreenMail server = shared.greenMail();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "greenmail-shutdown"));
        }
        return shared;
    }

    /** A server for one test class, as a static {@code @RegisterExtension}: started before it, stopped after it. */
    public static MailServer perClass() {
        return new MailServer(false);
    }

    /** The running GreenMail, started now if need be, for anything this class does not wrap. */
    public synchronized GreenMail greenMail() {
        if (greenMail == null) {
            ServerSetup[] setup = ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP);
            greenMail = new GreenMail(setup);
            greenMail.withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
            greenMail.start();
        }
        return greenMail;
    }

    public int smtpPort() {
        return greenMail().getSmtp().getPort();
    }

    public int imapPort() {
        return greenMail().getImap().getPort();
    }

    /** {@code spring.mail.host} and {@code spring.mail.port}, for a {@code @DynamicPropertySource}. */
    public void register(DynamicPropertyRegistry registry) {
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", this::smtpPort);
    }

    /** Every message received since the last {@link #purge()}, oldest first. */
    public List<MimeMessage> received() {
        return List.of(greenMail().getReceivedMessages());
    }

    /** Waits up to {@code timeout} until at least {@code count} messages have arrived; answers whether they did. */
    public boolean awaitMessages(int count, Duration timeout) {
        return greenMail().waitForIncomingEmail(timeout.toMillis(), count);
    }

    /** Empties every mailbox. */
    public void purge() {
        try {
            greenMail().purgeEmailFromAllMailboxes();
        } catch (FolderException e) {
            throw new IllegalStateException("could not empty the mailboxes", e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        greenMail();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        purge();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (!jvmWide && greenMail != null) {
            greenMail.stop();
            greenMail = null;
        }
    }
}
