package io.signapi.notifier.email;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.config.SigningProperties;
import io.signapi.notifier.config.NotifierProperties;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.delivery.Delivery;
import io.signapi.notifier.delivery.Outcome;
import io.signapi.notifier.delivery.Sender;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import reactor.core.publisher.Mono;

/**
 * Sends result mails over SMTP: {@code multipart/alternative} text and HTML, {@code Auto-Submitted:
 * auto-generated}, and a {@code Message-ID} derived from the request id so that mail clients collapse a duplicate
 * sent across a crash. The blocking send runs on a virtual thread, bounded by {@code notifier.mail-timeout}.
 */
@Component
class EmailSender implements Sender {

    /** The longest line 7bit allows (RFC 5322); longer or non-ASCII text goes base64 rather than quoted-printable. */
    private static final int MAX_7BIT_LINE = 998;

    private final JavaMailSenderImpl mail;
    private final BoundedCalls calls;
    private final InternetAddress from;
    private final Duration maxAge;

    EmailSender(JavaMailSenderImpl mail, BoundedCalls mailCalls, NotifierProperties notifier,
            SigningProperties signing) {
        this.mail = mail;
        this.calls = mailCalls;
        this.maxAge = signing.maxAge();
        try {
            this.from = new InternetAddress(notifier.mailFrom(), true);
        } catch (AddressException e) {
            throw new IllegalStateException("notifier.mail-from is not a valid address: " + e.getMessage(), e);
        }
    }

    @Override
    public Channel channel() {
        return Channel.EMAIL;
    }

    @Override
    public Mono<Outcome> send(Delivery delivery) {
        InternetAddress to;
        try {
            to = recipient(delivery.email());
        } catch (AddressException e) {
            return Mono.just(new Outcome.Failed("not a valid email address: " + e.getMessage()));
        }
        return calls.bounded(Mono.fromCallable(() -> {
                    MimeMessage message = message(delivery, to);
                    mail.send(message);
                    return Outcome.delivered();
                }))
                .onErrorResume(e -> Mono.just(outcome(e)));
    }

    /** One address, parsed strictly; CR, LF or any control character (a header injection attempt) is refused. */
    static InternetAddress recipient(String email) throws AddressException {
        if (email == null || email.isBlank()) {
            throw new AddressException("missing");
        }
        if (email.chars().anyMatch(Character::isISOControl)) {
            throw new AddressException("contains control characters");
        }
        InternetAddress[] parsed = InternetAddress.parse(email, true);
        if (parsed.length != 1 || parsed[0].isGroup()) {
            throw new AddressException("must be exactly one address", email);
        }
        parsed[0].validate();
        return parsed[0];
    }

    private MimeMessage message(Delivery delivery, InternetAddress to) throws MessagingException {
        String messageId = "<" + delivery.requestId() + "@signapi.local>";
        MimeMessage message = new DeterministicIdMessage(mail.getSession(), messageId);
        MailContent content = new MailContent(delivery, maxAge);
        message.setFrom(from);
        message.setRecipient(Message.RecipientType.TO, to);
        message.setSubject(content.subject(), StandardCharsets.UTF_8.name());
        message.setHeader("Auto-Submitted", "auto-generated");
        message.setHeader("X-Request-Id", delivery.requestId().toString());
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(part(content.text(), "plain"));
        alternative.addBodyPart(part(content.html(), "html"));
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }

    /** A text part whose lines are never wrapped: 7bit when it can be, else base64 (never quoted-printable). */
    private static MimeBodyPart part(String text, String subtype) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text, StandardCharsets.UTF_8.name(), subtype);
        boolean sevenBit = text.chars().allMatch(c -> c < 0x80 && (c >= 0x20 || c == '\n' || c == '\t'))
                && text.lines().allMatch(line -> line.length() <= MAX_7BIT_LINE);
        part.setHeader("Content-Transfer-Encoding", sevenBit ? "7bit" : "base64");
        return part;
    }

    private static Outcome outcome(Throwable error) {
        if (error instanceof TimeoutException) {
            return new Outcome.Retry("SMTP send timed out");
        }
        if (error instanceof MailSendException send) {
            for (Exception cause : send.getFailedMessages().values()) {
                if (cause instanceof SendFailedException failed && permanentlyRefused(failed)) {
                    return new Outcome.Failed("the mail server refused the recipient: " + failed.getMessage());
                }
            }
        }
        if (error instanceof MailAuthenticationException || error instanceof MailException) {
            return new Outcome.Retry("SMTP: " + rootMessage(error));
        }
        return new Outcome.Retry(error.toString());
    }

    /**
     * A recipient the server refused for good: the SMTP transport lists 5xx refusals (550, 553, ...) as invalid
     * addresses, and 4xx ones as valid but unsent, which are retried.
     */
    private static boolean permanentlyRefused(SendFailedException failed) {
        Address[] invalid = failed.getInvalidAddresses();
        return invalid != null && invalid.length > 0;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? String.valueOf(error.getMessage()) : error.getMessage() + ": " + root;
    }

    /** A message whose Message-ID survives {@code saveChanges}, which would otherwise make up a random one. */
    private static final class DeterministicIdMessage extends MimeMessage {
        private final String messageId;

        DeterministicIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
