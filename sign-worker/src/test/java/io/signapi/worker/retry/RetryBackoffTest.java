package io.signapi.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.signapi.common.upstream.UpstreamProperties;
import io.signapi.common.upstream.UpstreamProperties.RateLimit;

/** The first retry policy scales from the window: half a window, doubling, at most two windows. */
class RetryBackoffTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private final RetryBackoff backoff = new RetryBackoff(new UpstreamProperties(URI.create("http://127.0.0.1:5005"),
            "key", Duration.ofSeconds(1), new RateLimit(10, Duration.ofSeconds(4), null, 5)));

    @Test
    void waitsHalfAWindowAfterTheFirstDegradationAndDoublesUpToTwoWindows() {
        assertThat(backoff.afterDegraded(AT, 1)).isEqualTo(AT.plusSeconds(2));
        assertThat(backoff.afterDegraded(AT, 2)).isEqualTo(AT.plusSeconds(4));
        assertThat(backoff.afterDegraded(AT, 3)).isEqualTo(AT.plusSeconds(8));
        assertThat(backoff.afterDegraded(AT, 10)).isEqualTo(AT.plusSeconds(8));
    }

    @Test
    void waitsHalfAWindowAfterAFailedCall() {
        assertThat(backoff.afterFailed(AT)).isEqualTo(AT.plusSeconds(2));
    }
}
