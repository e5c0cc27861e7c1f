package io.signapi.common.event;

/** Kafka topic names (docs/ARCHITECTURE.md, "Kafka topics"). */
public final class Topics {

    /** Accepted requests waiting for a signature, keyed by message hash. */
    public static final String SIGN_REQUESTS = "sign.requests";

    /** Signatures obtained from the upstream, compacted, keyed by message hash. */
    public static final String SIGN_SIGNATURES = "sign.signatures";

    /** Finished requests for the notifier, keyed by request id. */
    public static final String SIGN_RESULTS = "sign.results";

    /**
     * The header ({@code true}) on a record re-published from its dead-letter topic by an operator (./stack dlt
     * replay): only such a record makes the notifier try a FAILED delivery again.
     */
    public static final String REPLAY_HEADER = "signapi-replay";

    private static final String DEAD_LETTER_SUFFIX = ".dlt";

    private Topics() {
    }

    /** The dead-letter topic of a topic. */
    public static String dlt(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
