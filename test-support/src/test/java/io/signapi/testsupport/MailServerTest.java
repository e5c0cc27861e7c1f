package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MailServerTest {

    @RegisterExtension
    static final MailServer mail = MailServer.perClass();

    @Test
    @Order(1)
    void receivesOverSmtpOnADynamicPortAndServesOverImap() throws Exception {
        assertThat(mail.smtpPort()).isPositive().isNotEqualTo(3025);
        assertThat(mail.imapPort()).isPositive().isNotEqualTo(mail.smtpPort());

        GreenMailUtil.sendTextEmail("alice@example.test", "signapi@example.test", "Signed", "your signature",
                mail.greenMail().getSmtp().getServerSetup());

        assertThat(mail.awaitMessages(1, Duration.ofSeconds(5))).isTrue();
        assertThat(mail.received()).singleElement()
                .satisfies(message -> assertThat(message.getSubject()).isEqualTo("Signed"));
        Properties imap = new Properties();
        imap.put("mail.imap.host", "127.0.0.1");
        imap.put("mail.imap.port", String.valueOf(mail.imapPort()));
        try (Store store = Session.getInstance(imap).getStore("imap")) {
            store.connect("alice@example.test", "alice@example.test");
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void theExtensionEmptiesTheMailboxesBeforeEachTest() {
        assertThat(mail.received()).isEmpty();
    }

    @Test
    void theSharedServerIsOneForTheJvm() {
        assertThat(MailServer.shared()).isSameAs(MailServer.shared());
        assertThat(MailServer.shared().smtpPort()).isNotEqualTo(mail.smtpPort());
    }
}
