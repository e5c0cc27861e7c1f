package io.signapi.simulator.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signapi.simulator.LiveSimulatorTest;
import io.signapi.simulator.UpstreamCalls;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;

/** The call log names each call's caller and when it completed, so a test can tell whether two callers overlapped. */
class CallLogTest extends LiveSimulatorTest {

    UpstreamCalls workerOne;
    UpstreamCalls workerTwo;

    @BeforeEach
    void twoWorkersAndNoDegradedMessages() {
        admin.configure(Map.of("failureRate", 0));
        workerOne = new UpstreamCalls(baseUrl(), "sign-worker/one");
        workerTwo = new UpstreamCalls(baseUrl(), "sign-worker/two");
    }

    @Test
    void recordsTheCallerAndWhenTheAnswerWentOutAfterTheLatency() {
        admin.configure(Map.of("latencyMinMillis", 300, "latencyMaxMillis", 300));
        long before = System.currentTimeMillis();

        assertThat(workerOne.signNow("timed").getStatusCode().value()).isEqualTo(200);

        long after = System.currentTimeMillis();
        List<CallRecord> calls = admin.calls();
        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.caller()).isEqualTo("sign-worker/one");
            assertThat(call.at()).isBetween(before, after - 300);
            assertThat(call.completedAt()).isNotNull().isBetween(call.at() + 300, after);
        });
        web.get().uri("/__sim/calls").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$[0].at").isEqualTo(calls.getFirst().at())
                .jsonPath("$[0].path").isEqualTo("/crypto/sign")
                .jsonPath("$[0].message").isEqualTo("timed")
                .jsonPath("$[0].status").isEqualTo(200)
                .jsonPath("$[0].caller").isEqualTo("sign-worker/one")
                .jsonPath("$[0].completedAt").isEqualTo(calls.getFirst().completedAt());
    }

    @Test
    void leavesTheCompletionEmptyWhileTheCallIsInFlight() {
        admin.configure(Map.of("latencyMinMillis", 1500, "latencyMaxMillis", 1500));

        Mono<ResponseEntity<String>> answer = workerOne.sign("in flight").cache();
        answer.subscribe();

        await().atMost(Duration.ofSeconds(1)).until(() -> admin.calls().size() == 1);
        assertThat(admin.calls().getFirst().completedAt()).isNull();
        assertThat(answer.block(Duration.ofSeconds(5)).getStatusCode().value()).isEqualTo(200);
        assertThat(admin.calls().getFirst().completedAt()).isNotNull();
        web.get().uri("/__sim/calls").exchange().expectBody().jsonPath("$[0].completedAt").isNotEmpty();
    }

    @Test
    void stampsARefusedCallAsCompletedAtOnce() {
        web.get().uri("/crypto/sign?message=x").header("User-Agent", "api-gateway/gw-1").exchange()
                .expectStatus().isUnauthorized();

        assertThat(admin.calls()).singleElement().satisfies(call -> {
            assertThat(call.status()).isEqualTo(401);
            assertThat(call.caller()).isEqualTo("api-gateway/gw-1");
            assertThat(call.completedAt()).isNotNull().isGreaterThanOrEqualTo(call.at());
        });
    }

    @Test
    void stampsAHungCallAsCompletedWhenItsClientGivesUp() {
        admin.configure(Map.of("outage", "hang"));

        expectNoAnswerWithin(Duration.ofMillis(400), workerOne.sign("stuck"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin.calls()).singleElement()
                .satisfies(call -> {
                    assertThat(call.status()).isZero();
                    // The client's 400 ms run from before the call arrived (and was stamped): a few ms less here.
                    assertThat(call.completedAt()).isNotNull().isGreaterThanOrEqualTo(call.at() + 300);
                }));
    }

    @Test
    void showsWhetherTwoCallersOverlappedOnOneMessage() {
        admin.configure(Map.of("latencyMinMillis", 200, "latencyMaxMillis", 200));

        workerOne.signNow("taken in turn");
        workerTwo.signNow("taken in turn");
        Mono.zip(workerOne.sign("taken at once"), workerTwo.sign("taken at once")).block(Duration.ofSeconds(5));

        assertThat(overlap(admin.calls(), "taken in turn")).isFalse();
        assertThat(overlap(admin.calls(), "taken at once")).isTrue();
    }

    /** Whether two different callers had calls for the message in flight at the same time. */
    private static boolean overlap(List<CallRecord> log, String message) {
        List<CallRecord> calls = log.stream().filter(call -> message.equals(call.message())).toList();
        assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(call.completedAt()).isNotNull());
        CallRecord first = calls.get(0);
        CallRecord second = calls.get(1);
        assertThat(first.caller()).isNotEqualTo(second.caller());
        return first.at() < second.completedAt() && second.at() < first.completedAt();
    }
}
