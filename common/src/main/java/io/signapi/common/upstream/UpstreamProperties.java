package io.signapi.common.upstream;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;

/**
 * Settings {@code upstream.*} shared by the gateway and the worker. A shrunken budget ({@link #shrunken()}) is
 * allowed only against the simulator, which {@link UpstreamProbe} checks at start-up (the safety interlock).
 *
 * @param baseUrl where the upstream lives
 * @param apiKey sent raw in {@code Authorization}; never logged and never shown by {@link #toString()}
 * @param timeout the worker's per-call timeout
 * @param rateLimit the shared budget
 */
@ConfigurationProperties("upstream")
public record UpstreamProperties(
        @DefaultValue(DEFAULT_BASE_URL) URI baseUrl,
        @DefaultValue(DEFAULT_API_KEY) String apiKey,
        @DefaultValue(DEFAULT_TIMEOUT) Duration timeout,
        @DefaultValue RateLimit rateLimit) {

    static final String DEFAULT_BASE_URL = "http://127.0.0.1:5005";
    static final String DEFAULT_API_KEY = "local-dev-key";
    static final String DEFAULT_TIMEOUT = "10s";
    static final int DEFAULT_WORKER_RESERVE = 5;

    /** The real upstream's contract: never more than this many calls ... */
    public static final int REAL_MAX_LIMIT = 10;
    static final int REAL_MIN_WINDOW_SECONDS = 60;
    /** ... in any window of this length. */
    public static final Duration REAL_MIN_WINDOW = Duration.ofSeconds(REAL_MIN_WINDOW_SECONDS);

    public UpstreamProperties {
        baseUrl = baseUrl != null ? baseUrl : URI.create(DEFAULT_BASE_URL);
        apiKey = apiKey != null ? apiKey : DEFAULT_API_KEY;
        timeout = timeout != null ? timeout : DurationStyle.detectAndParse(DEFAULT_TIMEOUT);
        rateLimit = rateLimit != null ? rateLimit : RateLimit.defaults();
        if (baseUrl.getHost() == null || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))) {
            throw new IllegalStateException("upstream.base-url must be an absolute http(s) URL, got " + baseUrl);
        }
        // A shrunken budget is checked at start-up, by UpstreamProbe: only the announced simulator allows it.
    }

    /**
     * True when the budget is not the real upstream's: a window shorter than {@link #REAL_MIN_WINDOW} or a limit
     * above {@link #REAL_MAX_LIMIT}. Such a budget is for the simulator only (the start-up probe checks).
     */
    public boolean shrunken() {
        return rateLimit.window().compareTo(REAL_MIN_WINDOW) < 0 || rateLimit.limit() > REAL_MAX_LIMIT;
    }

    /** Defaults for every setting, as an app without any {@code upstream.*} property gets them. */
    public static UpstreamProperties defaults() {
        return new UpstreamProperties(null, null, null, null);
    }

    /**
     * True for {@code localhost} and literal loopback addresses; names are never resolved here. The notifier uses it
     * to refuse the local webhook secret against a real deployment; the interlock does not trust it (the probe).
     */
    public static boolean isLoopback(URI url) {
        String host = url.getHost();
        if (host.equalsIgnoreCase("localhost") || host.toLowerCase().endsWith(".localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
            return false;
        }
        try {
            // A literal address: getByName parses it without a lookup.
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "UpstreamProperties[baseUrl=" + baseUrl + ", apiKey=****, timeout=" + timeout + ", rateLimit="
                + rateLimit + "]";
    }

    /**
     * The shared upstream budget: at most {@code limit} calls in any {@code window}.
     *
     * @param margin widens the window to absorb the delay between admission and arrival upstream; null means
     *     the larger of window / 60 and 250 ms (see {@link #effectiveMargin()})
     * @param workerReserve slots the gateway leaves free while the worker has due work
     */
    public record RateLimit(
            @DefaultValue("" + REAL_MAX_LIMIT) int limit,
            @DefaultValue(REAL_MIN_WINDOW_SECONDS + "s") Duration window,
            Duration margin,
            @DefaultValue("" + DEFAULT_WORKER_RESERVE) int workerReserve) {

        private static final Duration MIN_MARGIN = Duration.ofMillis(250);

        public RateLimit {
            window = window != null ? window : REAL_MIN_WINDOW;
            if (limit < 1) {
                throw new IllegalStateException("upstream.rate-limit.limit must be at least 1, got " + limit);
            }
            if (window.isNegative() || window.isZero()) {
                throw new IllegalStateException("upstream.rate-limit.window must be positive, got " + window);
            }
            if (margin != null && margin.isNegative()) {
                throw new IllegalStateException("upstream.rate-limit.margin must not be negative, got " + margin);
            }
            if (workerReserve < 0) {
                throw new IllegalStateException("upstream.rate-limit.worker-reserve must not be negative, got "
                        + workerReserve);
            }
        }

        /** The defaults: 10 calls per 60 s, default margin, 5 reserved for the worker. */
        public static RateLimit defaults() {
            return new RateLimit(REAL_MAX_LIMIT, REAL_MIN_WINDOW, null, DEFAULT_WORKER_RESERVE);
        }

        /** The margin in force: the configured one, else the larger of window / 60 and 250 ms. */
        public Duration effectiveMargin() {
            if (margin != null) {
                return margin;
            }
            Duration sixtieth = window.dividedBy(60);
            return sixtieth.compareTo(MIN_MARGIN) > 0 ? sixtieth : MIN_MARGIN;
        }

        /** The slots the gateway may use while the worker has due work (never below zero). */
        public int gatewayShare() {
            return Math.max(limit - workerReserve, 0);
        }

        /** The span the limiter actually counts over: window plus margin. */
        public Duration span() {
            return window.plus(effectiveMargin());
        }
    }
}
