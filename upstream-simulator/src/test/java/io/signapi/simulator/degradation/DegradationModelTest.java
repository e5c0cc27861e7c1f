package io.signapi.simulator.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.simulator.behaviour.Behaviour;
import io.signapi.simulator.behaviour.Outage;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DegradationModelTest {

    private static final Duration WINDOW = Duration.ofSeconds(60);
    private static final Behaviour DEFAULTS = new Behaviour(0.5, 0.75, 5, Duration.ofMillis(60),
            Duration.ofMillis(200), 0, Duration.ofSeconds(5), Outage.NONE, "key");

    @Test
    void sameSeedAndMessageGiveTheSameDraws() {
        DegradationModel one = new DegradationModel(7);
        DegradationModel other = new DegradationModel(7);

        for (int i = 0; i < 100; i++) {
            assertThat(one.draws("message " + i)).isEqualTo(other.draws("message " + i));
        }
    }

    @Test
    void anotherSeedGivesOtherOutcomes() {
        DegradationModel one = new DegradationModel(7);
        DegradationModel other = new DegradationModel(8);

        long differing = IntStream.range(0, 200)
                .filter(i -> one.draws("m" + i).firstCallFails(DEFAULTS) != other.draws("m" + i).firstCallFails(DEFAULTS))
                .count();
        assertThat(differing).isGreaterThan(50);
    }

    @Test
    void degradedPeriodsStayBetweenTheConfiguredWindows() {
        DegradationModel model = new DegradationModel(1);

        for (int i = 0; i < 1_000; i++) {
            Duration period = model.draws("m" + i).degradedPeriod(DEFAULTS, WINDOW);
            assertThat(period).isBetween(Duration.ofSeconds(45), Duration.ofSeconds(300));
        }
    }

    @Test
    void failureRateOfZeroOrOneIsExact() {
        DegradationModel model = new DegradationModel(1);
        Behaviour never = DEFAULTS.withChanges(java.util.Map.of("failureRate", 0));
        Behaviour always = DEFAULTS.withChanges(java.util.Map.of("failureRate", 1));

        for (int i = 0; i < 500; i++) {
            assertThat(model.draws("m" + i).firstCallFails(never)).isFalse();
            assertThat(model.draws("m" + i).firstCallFails(always)).isTrue();
        }
    }

    @Test
    void degradationLastsFromTheFirstCallForTheDrawnPeriod() {
        DegradationModel model = new DegradationModel(3);
        Behaviour always = DEFAULTS.withChanges(java.util.Map.of("failureRate", 1));
        Degradation degradation = new Degradation(model, WINDOW);
        long period = model.draws("hello").degradedPeriod(always, WINDOW).toMillis();

        assertThat(degradation.degraded("hello", 1_000, always)).isTrue();
        assertThat(degradation.degraded("hello", 1_000 + period - 1, always)).isTrue();
        assertThat(degradation.degraded("hello", 1_000 + period, always)).isFalse();

        degradation.reset();
        assertThat(degradation.degraded("hello", 1_000 + period, always)).isTrue();
    }
}
