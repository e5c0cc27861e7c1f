package io.signapi.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.signapi.worker.retry.RecoveryEstimate.Observation;

/** The recovery estimate: a prior over 0.75–5 windows, updated by censored observations without reading too much. */
class RecoveryEstimateTest {

    @Test
    void thePriorSpansThreeQuartersOfAWindowToFiveWindows() {
        RecoveryEstimate prior = RecoveryEstimate.prior();
        assertThat(prior.cdf(0.5)).isLessThan(0.02);
        assertThat(prior.quantile(0.5)).isBetween(2.75, 3.0);
        assertThat(prior.cdf(5)).isGreaterThan(0.95);
        assertThat(prior.observations()).isZero();
    }

    @Test
    void concentratesOnTheDegradationThatEveryMessageShowed() {
        // Fixed 2-window degradations, bracketed by retries before and after.
        Random random = new Random(7);
        List<Observation> seen = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            seen.add(new Observation(1.5 + 0.49 * random.nextDouble(), 2.01 + 0.4 * random.nextDouble()));
        }
        RecoveryEstimate learned = RecoveryEstimate.learn(seen);
        assertThat(learned.quantile(0.5)).isBetween(2.0, 2.5);
        assertThat(learned.quantile(0.1)).isGreaterThanOrEqualTo(1.5);
        assertThat(learned.observations()).isEqualTo(30);
    }

    @Test
    void readsAMessageStillFailingAsALowerBoundOnly() {
        List<Observation> stillFailing = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            stillFailing.add(Observation.stillFailing(3));
        }
        RecoveryEstimate learned = RecoveryEstimate.learn(stillFailing);
        // Only the prior's pseudo-counts are left before 3 windows; what lies beyond keeps the prior's shape.
        assertThat(RecoveryEstimate.prior().cdf(3)).isGreaterThan(0.5);
        assertThat(learned.cdf(3)).isLessThan(0.1);
        assertThat(learned.quantile(0.5)).isBetween(3.0, 4.5);
    }

    @Test
    void doesNotTakeASingleEarlyFailureForAShortDegradation() {
        // Signed at 4 windows after failing at 0: anywhere in (0, 4]; the prior keeps its shape inside.
        RecoveryEstimate learned = RecoveryEstimate.learn(List.of(new Observation(0, 4)));
        assertThat(learned.quantile(0.5)).isBetween(2.0, 3.5);
    }

    @Test
    void chanceRisesWithTimeSinceTheFirstFailureAndKnowsTheLatestFailure() {
        RecoveryEstimate prior = RecoveryEstimate.prior();
        assertThat(prior.chance(0.1, 0)).isLessThan(0.02);
        assertThat(prior.chance(2, 0)).isLessThan(prior.chance(4, 0));
        assertThat(prior.chance(6, 0)).isGreaterThan(0.95);
        // Still failing at 3 windows: the chance at 3.5 is that of (3, 3.5] among what is left beyond 3.
        assertThat(prior.chance(3.5, 3)).isCloseTo((prior.cdf(3.5) - prior.cdf(3)) / (1 - prior.cdf(3)),
                within(1e-9));
        assertThat(prior.chance(3, 3)).isZero();
    }

    @Test
    void timeAtChanceInvertsTheChance() {
        RecoveryEstimate prior = RecoveryEstimate.prior();
        double t = prior.timeAtChance(1, 0.5);
        assertThat(prior.chance(t, 1)).isCloseTo(0.5, within(1e-6));
        assertThat(t).isGreaterThan(1);
    }
}
