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

    /** Timeout, I/O error or a 5xx other than 502. */
    record Failed(String reason) implements NoResult {
    }
}
