package io.signapi.notifier.email;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.springframework.web.util.HtmlUtils;

import io.signapi.common.event.SignCompleted;
import io.signapi.notifier.delivery.Delivery;

/**
 * The subject, text and HTML of a result mail: what happened, the message, the signature on a line of its own, the
 * request id, and for a failure why and what to do.
 */
final class MailContent {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Delivery delivery;
    private final Duration maxAge;

    MailContent(Delivery delivery, Duration maxAge) {
        this.delivery = delivery;
        this.maxAge = maxAge;
    }

    private boolean signed() {
        return delivery.status() == SignCompleted.Status.SIGNED;
    }

    String subject() {
        return signed()
                ? "Your message has been signed (request " + delivery.requestId() + ")"
                : "Your message could not be signed (request " + delivery.requestId() + ")";
    }

    String text() {
        StringBuilder text = new StringBuilder();
        text.append("Hello,\n\n");
        if (signed()) {
            text.append("your message has been signed on ").append(WHEN.format(delivery.completedAt()))
                    .append(".\n\n");
            text.append("Signature (RSA-2048, URL-safe base64):\n").append(delivery.signature()).append("\n\n");
        } else {
            text.append(failureSentence()).append("\n\n");
        }
        text.append("Request id: ").append(delivery.requestId()).append('\n');
        text.append("Message:\n").append(delivery.message()).append("\n\n");
        text.append("This mail was sent automatically by Sign API; replies are not read.\n");
        return text.toString();
    }

    String html() {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        html.append("<p>Hello,</p>");
        if (signed()) {
            html.append("<p>your message has been signed on ").append(WHEN.format(delivery.completedAt()))
                    .append(".</p>");
            html.append("<p>Signature (RSA-2048, URL-safe base64):</p>");
            html.append("<pre style=\"white-space:pre-wrap;word-break:break-all\">")
                    .append(escape(delivery.signature())).append("</pre>");
        } else {
            html.append("<p>").append(escape(failureSentence())).append("</p>");
        }
        html.append("<p>Request id: <code>").append(delivery.requestId()).append("</code></p>");
        html.append("<p>Message:</p><pre style=\"white-space:pre-wrap\">").append(escape(delivery.message()))
                .append("</pre>");
        html.append("<p style=\"color:#666\">This mail was sent automatically by Sign API; replies are not read.</p>");
        html.append("</body></html>");
        return html.toString();
    }

    private String failureSentence() {
        SignCompleted.Reason reason = delivery.reason();
        if (reason == SignCompleted.Reason.EXPIRED) {
            return "your message could not be signed within the maximum time of " + readable(maxAge)
                    + ": the signing service kept failing for it, and nothing more will be tried for this request."
                    + " To try again, submit the message as a new request.";
        }
        if (reason == SignCompleted.Reason.REJECTED) {
            return "the signing service refused to sign this message. Sending the same message again will not help;"
                    + " check its content and submit a corrected message as a new request.";
        }
        return "your message could not be signed. To try again, submit the message as a new request.";
    }

    private static String readable(Duration duration) {
        if (duration.toMinutes() % 60 == 0 && duration.toHours() > 0) {
            long hours = duration.toHours();
            return hours + (hours == 1 ? " hour" : " hours");
        }
        if (duration.toSeconds() % 60 == 0 && duration.toMinutes() > 0) {
            long minutes = duration.toMinutes();
            return minutes + (minutes == 1 ? " minute" : " minutes");
        }
        return duration.toSeconds() + " seconds";
    }

    private static String escape(String text) {
        return HtmlUtils.htmlEscape(text);
    }
}
