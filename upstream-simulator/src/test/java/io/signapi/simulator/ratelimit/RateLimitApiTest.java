package io.signapi.simulator.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signapi.simulator.LiveSimulatorTest;
import io.signapi.simulator.UpstreamCalls;
import io.signapi.simulator.admin.CallRecord;
import io.signapi.simulator.admin.Stats;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

@TestPropertySource(properties = {
        "upstream.rate-limit.limit=2",
        "upstream.rate-limit.window=" + RateLimitApiTest.WINDOW_MILLIS + "ms",
        "simulator.failure-rate=0",
        "simulator.latency-min=0ms",
        "simulator.latency-max=5ms"})
class RateLimitApiTest extends LiveSimulatorTest {

    static final long WINDOW_MILLIS = 2_000;

    @Test
    void answers429ToTheCallAfterTheLimitCountsItAndGivesItNoSlot() {
        assertThat(status(upstream.signNow("a"))).isEqualTo(200);
        assertThat(status(upstream.signNow("b"))).isEqualTo(200);
        long lastAdmitted = admin.calls().getLast().at();
        // Refused in the middle of the window, so a slot taken by it would still be held after the window.
        await().atMost(Duration.ofSeconds(3)).until(() -> System.currentTimeMillis() >= lastAdmitted + WINDOW_MILLIS / 2);

        ResponseEntity<String> refused = upstream.signNow("c");

        assertThat(status(refused)).isEqualTo(429);
        assertThat(refused.getBody()).isEqualTo("Error 429: Rate limit exceeded.");
        assertThat(admin.stats().rateLimited()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(3)).until(() -> System.currentTimeMillis() >= lastAdmitted + WINDOW_MILLIS);
        assertThat(status(upstream.signNow("d"))).isEqualTo(200);
        assertThat(status(upstream.signNow("e"))).isEqualTo(200);

        Stats stats = admin.stats();
        assertThat(stats.calls()).isEqualTo(5);
        assertThat(stats.successes()).isEqualTo(4);
        assertThat(stats.rateLimited()).isEqualTo(1);
        assertThat(stats.maxInWindow()).isEqualTo(2);
        assertThat(admin.calls()).extracting(CallRecord::status).containsExactly(200, 200, 429, 200, 200);
    }

    @Test
    void verifyCallsCountAgainstTheLimitToo() {
        String signature = upstream.signNow("a").getBody();
        assertThat(status(upstream.verify("a", signature).block())).isEqualTo(200);

        assertThat(status(upstream.verify("a", signature).block())).isEqualTo(429);
        assertThat(status(upstream.signNow("a"))).isEqualTo(429);
        assertThat(admin.stats().rateLimited()).isEqualTo(2);
    }

    @Test
    void unauthorizedAndBadRequestsDoNotCount() {
        WebClient client = UpstreamCalls.webClient(baseUrl());
        for (int i = 0; i < 5; i++) {
            assertThat(plainStatus(client, "/crypto/sign?message=x", "wrong-key")).isEqualTo(401);
            assertThat(plainStatus(client, "/crypto/sign", UpstreamCalls.KEY)).isEqualTo(400);
            assertThat(plainStatus(client, "/crypto/verify?message=x", UpstreamCalls.KEY)).isEqualTo(400);
            assertThat(plainStatus(client, "/", UpstreamCalls.KEY)).isEqualTo(200);
        }

        assertThat(status(upstream.signNow("a"))).isEqualTo(200);
        assertThat(status(upstream.signNow("b"))).isEqualTo(200);
        assertThat(admin.stats().rateLimited()).isZero();
        assertThat(admin.stats().maxInWindow()).isEqualTo(2);
    }

    private static int status(ResponseEntity<String> response) {
        return response.getStatusCode().value();
    }

    private static int plainStatus(WebClient client, String uri, String key) {
        return client.get().uri(uri).header("Authorization", key)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .block(Duration.ofSeconds(10));
    }
}
