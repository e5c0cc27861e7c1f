package io.signapi.notifier.support;

import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/** The decoded text and HTML parts of a {@code multipart/alternative} mail. */
public record MailParts(String contentType, String text, String html) {

    public static MailParts of(MimeMessage mail) {
        try {
            MimeMultipart multipart = (MimeMultipart) mail.getContent();
            String text = null;
            String html = null;
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                if (part.isMimeType("text/plain")) {
                    text = (String) part.getContent();
                } else if (part.isMimeType("text/html")) {
                    html = (String) part.getContent();
                }
            }
            return new MailParts(mail.getContentType(), text, html);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
