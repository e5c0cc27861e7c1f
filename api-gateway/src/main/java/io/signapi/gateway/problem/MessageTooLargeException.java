package io.signapi.gateway.problem;

/** A message over {@code gateway.max-message-bytes}, answered 413 {@code /problems/message-too-large}. */
public class MessageTooLargeException extends RuntimeException {

    private final long limitBytes;

    public MessageTooLargeException(long limitBytes) {
        super("message is longer than " + limitBytes + " bytes of UTF-8", null, false, false);
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
