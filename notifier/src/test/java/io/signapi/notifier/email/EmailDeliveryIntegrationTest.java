package io.signapi.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.support.MailParts;
import io.signapi.notifier.support.NotifierIntegrationTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;

/** Result mails end to end: from a {@code sign.results} event to GreenMail, and through an SMTP outage. */
class EmailDeliveryIntegrationTest extends NotifierIntegrationTest {

    @Test
    void mailsASignedResultWithTheWholeSignatureAndTheRequestId() throws Exception {
        SignCompleted event = signed("alice@example.com", null);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> mails().size() == 1);
        MimeMessage mail = mails().getFirst();
        assertThat(mail.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("alice@example.com");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("Sign API <no-reply@signapi.local>");
        assertThat(mail.getSubject()).contains("signed").contains(event.requestId().toString());
        assertThat(mail.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(mail.getMessageID()).isEqualTo("<" + event.requestId() + "@signapi.local>");
        MailParts parts = MailParts.of(mail);
        assertThat(parts.contentType()).startsWith("multipart/alternative");
        assertThat(event.signature()).hasSize(344);
        assertThat(parts.text().lines()).contains(event.signature());
        assertThat(parts.text()).contains(event.requestId().toString()).contains(event.message());
        assertThat(parts.html()).contains(event.signature());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "DELIVERED".equals(status(event.requestId(), Channel.EMAIL)));
        assertThat(notification(event.requestId(), Channel.EMAIL))
                .containsEntry("attempts", 1)
                .containsEntry("next_attempt_at", null)
                .containsEntry("claimed_by", null);
        assertThat(notification(event.requestId(), Channel.EMAIL).get("delivered_at")).isNotNull();
    }

    @Test
    void keepsTheSignatureUnbrokenInANonAsciiMail() throws Exception {
        SignCompleted event = finished(SignCompleted.Status.SIGNED, "Grüße aus Köln — " + "x".repeat(1200),
                signature(), "bob@example.com", null, null);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> mails().size() == 1);
        MailParts parts = MailParts.of(mails().getFirst());
        assertThat(parts.text().lines()).contains(event.signature());
        assertThat(parts.text()).contains(event.message());
    }

    @Test
    void explainsAnExpiredRequest() throws Exception {
        SignCompleted event = finished(SignCompleted.Status.FAILED, "never signed", null, "carol@example.com", null,
                SignCompleted.Reason.EXPIRED);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> mails().size() == 1);
        MimeMessage mail = mails().getFirst();
        assertThat(mail.getSubject()).contains("could not be signed").contains(event.requestId().toString());
        MailParts parts = MailParts.of(mail);
        assertThat(parts.text()).contains("within the maximum time of 24 hours")
                .contains("submit the message as a new request")
                .contains(event.requestId().toString());
    }

    @Test
    void explainsARejectedMessage() throws Exception {
        SignCompleted event = finished(SignCompleted.Status.FAILED, "refused", null, "dave@example.com", null,
                SignCompleted.Reason.REJECTED);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> mails().size() == 1);
        assertThat(MailParts.of(mails().getFirst()).text()).contains("refused to sign this message")
                .contains("will not help");
    }

    @Test
    void retriesWhileSmtpIsDownAndSendsExactlyOneMailOnceItIsBack() {
        Map<String, Object> firstTry;
        smtp.cut();
        try {
            SignCompleted event = signed("erin@example.com", null);

            publish(event);

            // The row as the first try left it, read in the same poll: the shrunken schedule gives up within about
            // 1.5 s, so SMTP comes back before anything else is done.
            firstTry = await().atMost(Duration.ofSeconds(15)).until(
                    () -> notification(event.requestId(), Channel.EMAIL),
                    row -> row != null && ((Number) row.get("attempts")).intValue() >= 1);
        } finally {
            smtp.resume();
        }
        assertThat(firstTry).containsEntry("status", "RETRYING");
        assertThat((String) firstTry.get("last_error")).contains("SMTP");
        await().atMost(Duration.ofSeconds(10)).until(() -> mails().size() == 1);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> mails().size() == 1);
        assertThat(mails()).hasSize(1);
    }

    @Test
    void neverLetsALineBreakInTheAddressAddHeaders() throws Exception {
        SignCompleted event = signed("frank@example.com\r\nBcc: mallory@example.com", null);

        publish(event);

        await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(status(event.requestId(), Channel.EMAIL)));
        assertThat((String) notification(event.requestId(), Channel.EMAIL).get("last_error"))
                .contains("not a valid email address");
        assertThat(mails()).isEmpty();
    }
}
