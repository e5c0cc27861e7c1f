package io.signapi.common.upstream;

import java.time.Duration;

/** What one upstream sign call came to; never carries the API key. */
public sealed interface UpstreamOutcome {

    /** 200 from sign: the signature exactly as the upstream gave it. */
    record Signed(String signature) implements UpstreamOutcome {
    }

    /** The answers sign and verify share: the call brought neither a signature nor a verdict. */
    sealed interface NoResult extends UpstreamOutcome, VerifyOutcome {
    }

    /** 502: the upstream is degraded for this message right now. */
    record Degraded() implements NoResult {
    }

    /** 429: the upstream says we breached its limit; {@code retryAfter} is null when it gave none. */
    record RateLimited(Duration retryAfter) implements NoResult {
    }

    /** Any other 4xx (missing message, bad key): retrying the same call will not help. */
    record Rejected(int status, String body) implements NoResult {
    }

    /**
     * Timeout, I/O error or a status other than the above (a 5xx other than 502, an empty 200).
     *
     * @param status the status the upstream answered, or null when there was no answer
     */
    record Failed(String reason, Integer status) implements NoResult {

        /** A failure without an answer from the upstream (timeout, I/O error). */
        public Failed(String reason) {
            this(reason, null);
        }
    }
}
