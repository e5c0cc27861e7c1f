package io.signapi.gateway.signing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.signapi.common.MessageHash;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.common.config.WebhookProperties;
import io.signapi.gateway.problem.FieldProblem;
import io.signapi.gateway.problem.InvalidRequestException;
import io.signapi.gateway.problem.MessageTooLargeException;

/** Checks the inputs of a signing request and names every field at fault (413 for size, 422 otherwise). */
@Component
public class SignRequestValidator {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final int MAX_EMAIL_LENGTH = 320;
    static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;

    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    + "@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7E]+");

    private final long maxMessageBytes;
    private final boolean allowPrivateWebhooks;

    public SignRequestValidator(GatewayProperties gateway, WebhookProperties webhook) {
        this.maxMessageBytes = gateway.maxMessageBytes().toBytes();
        this.allowPrivateWebhooks = webhook.allowPrivate();
    }

    /**
     * Validates raw inputs.
     *
     * @param repeated names of parameters or headers given more than once (always refused)
     * @throws MessageTooLargeException when the message is over the size limit
     * @throws InvalidRequestException  listing every other field at fault
     */
    public SignCommand validate(@Nullable String message, @Nullable String email, @Nullable String webhook,
            @Nullable String idempotencyKey, Collection<String> repeated) {
        List<FieldProblem> errors = messageProblems(message, repeated);
        String mail = blankToNull(email);
        if (mail != null && !validEmail(mail)) {
            errors.add(new FieldProblem("email", "must be a valid email address"));
        }
        String hook = blankToNull(webhook);
        if (hook != null) {
            WebhookTargets.problem(hook, allowPrivateWebhooks).ifPresent(p -> errors.add(new FieldProblem("webhook", p)));
        }
        if (idempotencyKey != null) {
            idempotencyKeyProblem(idempotencyKey).ifPresent(errors::add);
        }
        if (!errors.isEmpty()) {
            throw InvalidRequestException.unprocessable(errors);
        }
        return new SignCommand(message, MessageHash.of(message), mail, hook, idempotencyKey);
    }

    /**
     * The checks every endpoint taking a message shares: its size, its presence, and parameters given twice.
     *
     * @return the problems found so far, for the caller to add its own fields' to
     * @throws MessageTooLargeException when the message is over the size limit
     */
    public List<FieldProblem> messageProblems(@Nullable String message, Collection<String> repeated) {
        if (message != null && message.getBytes(StandardCharsets.UTF_8).length > maxMessageBytes) {
            throw new MessageTooLargeException(maxMessageBytes);
        }
        List<FieldProblem> errors = new ArrayList<>();
        repeated.forEach(name -> errors.add(new FieldProblem(name, "must be given at most once")));
        if (message == null || message.isBlank()) {
            errors.add(new FieldProblem("message", "must not be blank"));
        }
        return errors;
    }

    private static Optional<FieldProblem> idempotencyKeyProblem(String key) {
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH || !PRINTABLE_ASCII.matcher(key).matches()) {
            return Optional.of(new FieldProblem(IDEMPOTENCY_KEY,
                    "must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " printable ASCII characters"));
        }
        return Optional.empty();
    }

    private static boolean validEmail(String email) {
        if (email.length() > MAX_EMAIL_LENGTH) {
            return false;
        }
        int at = email.lastIndexOf('@');
        return at > 0 && at <= 64 && EMAIL.matcher(email).matches();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
