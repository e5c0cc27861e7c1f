package io.signapi.common.upstream;

/** What one upstream verify call came to: a verdict, or one of the answers it shares with sign. */
public sealed interface VerifyOutcome permits VerifyOutcome.Verified, UpstreamOutcome.NoResult {

    /** Verify's answer: 200 valid, or the upstream's "Invalid signature" 400. */
    record Verified(boolean valid) implements VerifyOutcome {
    }
}
