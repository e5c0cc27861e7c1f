package io.signapi.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.systemtests.SimulatorAdmin.Call;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recounts the system tests make from the simulator's raw call log. */
class CallLogChecksTest {

    private static Call call(long at, int status, String caller, Long completedAt) {
        return new Call(at, "/crypto/sign", "m", status, caller, completedAt);
    }

    @Test
    void countsEveryAdmittedCallOverTheLimitWithinAWindowAndEvery429() {
        List<Call> calls = List.of(call(0, 200, "a", 1L), call(400, 502, "a", 401L), call(900, 200, "a", 901L),
                call(950, 429, "a", 950L), call(1000, 200, "a", 1001L));
        assertThat(SimulatorAdmin.violations(calls, 3, 1000)).as("the 429 only: 0 has left the window at 1000")
                .isEqualTo(1);
        assertThat(SimulatorAdmin.violations(calls, 2, 1000)).as("900 is the third in (-100, 900], 1000 the third in "
                + "(0, 1000], and the 429").isEqualTo(3);
        assertThat(SimulatorAdmin.maxInWindow(calls, 1000)).isEqualTo(3);
        assertThat(SimulatorAdmin.violations(List.of(), 10, 1000)).isZero();
    }

    @Test
    void findsAMessageInFlightAtTwoWorkersAtOnce() {
        List<Call> apart = List.of(call(0, 502, "sign-worker/a", 100L), call(100, 200, "sign-worker/b", 150L));
        assertThat(SimulatorAdmin.overlaps(apart, "sign-worker/")).as("touching ends count as overlapping")
                .containsOnlyKeys("m");
        List<Call> sequential = List.of(call(0, 502, "sign-worker/a", 99L), call(100, 200, "sign-worker/b", 150L));
        assertThat(SimulatorAdmin.overlaps(sequential, "sign-worker/")).isEmpty();
        List<Call> stillInFlight = List.of(call(0, 0, "sign-worker/a", null), call(5000, 200, "sign-worker/b", 5100L));
        assertThat(SimulatorAdmin.overlaps(stillInFlight, "sign-worker/")).containsOnlyKeys("m");
        List<Call> sameWorker = List.of(call(0, 502, "sign-worker/a", 100L), call(50, 200, "sign-worker/a", 150L));
        assertThat(SimulatorAdmin.overlaps(sameWorker, "sign-worker/")).isEmpty();
        List<Call> gatewayAndWorker = List.of(call(0, 502, "api-gateway/g", 100L),
                call(50, 200, "sign-worker/a", 150L));
        assertThat(SimulatorAdmin.overlaps(gatewayAndWorker, "sign-worker/")).isEmpty();
    }
}
