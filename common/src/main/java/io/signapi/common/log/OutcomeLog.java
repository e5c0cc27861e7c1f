package io.signapi.common.log;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one log line per request outcome that every app writes where a request finishes a step: the gateway's answer,
 * the worker's result, the notifier's delivery try. Logger {@value #LOGGER}, level INFO; the fields are in the text
 * ({@code requestId=… hash=… outcome=… durationMs=…}) and, for structured logs ({@code LOG_FORMAT=ecs}), also key-value
 * pairs. Never the message text, a signature, an address or the API key.
 */
public final class OutcomeLog {

    /** The logger name, e.g. {@code LOGGING_LEVEL_IO_SIGNAPI_OUTCOME=warn} turns these lines off. */
    public static final String LOGGER = "io.signapi.outcome";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private OutcomeLog() {
    }

    /**
     * @param step      what finished: {@code answer}, {@code result}, {@code delivery}
     * @param requestId the request's id
     * @param hash      the message hash, when known (not for an answer to invalid input)
     * @param outcome   how it ended, e.g. {@code queued}, {@code SIGNED}, {@code DELIVERED}
     * @param duration  how long the step took
     * @param detail    a short addition without personal data (a channel, an attempt number), or {@code null}
     */
    public static void outcome(String step, @Nullable Object requestId, @Nullable String hash, String outcome,
            Duration duration, @Nullable String detail) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long millis = duration.toMillis();
        log.atInfo()
                .addKeyValue("step", step)
                .addKeyValue("requestId", requestId)
                .addKeyValue("messageHash", hash)
                .addKeyValue("outcome", outcome)
                .addKeyValue("durationMs", millis)
                .log("{} requestId={} hash={} outcome={} durationMs={}{}", step, requestId, hash, outcome, millis,
                        detail == null ? "" : " " + detail);
    }
}
