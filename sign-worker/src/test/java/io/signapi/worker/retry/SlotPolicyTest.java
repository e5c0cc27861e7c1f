package io.signapi.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The slot policy's scoring and order, on a fixed clock and the prior beliefs (windows of 2 s). */
class SlotPolicyTest {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private final SlotPolicy policy = new SlotPolicy(WINDOW, WINDOW.multipliedBy(5));
    private final Beliefs beliefs = Beliefs.PRIOR;

    @Test
    void givesFreshMessagesTheirSlotsBeforeJustFailedOnes() {
        List<Candidate> due = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> due.add(justFailed("failed-" + i, NOW.minusSeconds(30 + i))));
        IntStream.range(0, 10).forEach(i -> due.add(fresh("fresh-" + i, NOW.minusSeconds(10 - i))));

        List<Candidate> order = policy.order(due, beliefs, NOW);

        assertThat(order.subList(0, 10)).allMatch(Candidate::fresh);
        // Among the fresh ones, the oldest request first.
        assertThat(order.subList(0, 10).stream().map(Candidate::messageHash))
                .containsExactly(IntStream.range(0, 10).mapToObj(i -> "fresh-" + i).toArray(String[]::new));
    }

    @Test
    void givesAMessageThatFailedLongAgoItsSlotBeforeAFreshOne() {
        Candidate longAgo = failed("long-ago", NOW.minus(WINDOW.multipliedBy(9)), NOW.minus(WINDOW.multipliedBy(9)),
                NOW.minusSeconds(1), NOW.minus(WINDOW.multipliedBy(9)));
        Candidate fresh = fresh("fresh", NOW.minus(WINDOW.multipliedBy(20)));

        assertThat(policy.order(List.of(fresh, longAgo), beliefs, NOW)).first().isEqualTo(longAgo);
        assertThat(policy.score(longAgo, beliefs, NOW)).isGreaterThan(policy.score(fresh, beliefs, NOW));
    }

    @Test
    void scoresAFailedMessageHigherTheLongerSinceItsFirstFailure() {
        Instant first = NOW.minus(WINDOW.multipliedBy(4));
        Candidate failed = failed("m", first, first, first, first);
        double earlier = policy.score(failed, beliefs, first.plus(WINDOW));
        double later = policy.score(failed, beliefs, first.plus(WINDOW.multipliedBy(3)));
        assertThat(earlier).isLessThan(later);
        assertThat(policy.chance(fresh("f", NOW), beliefs, NOW)).isEqualTo(beliefs.firstCallSuccessRate());
    }

    @Test
    void aMessageWaitingNearlyMaxWaitGoesBeforeEveryScoredOne() {
        // Due four windows ago (max-wait 5 windows less one), and barely likely to sign.
        Instant dueSince = NOW.minus(WINDOW.multipliedBy(4));
        Candidate waiting = failed("waiting", NOW.minusMillis(100), NOW.minusMillis(100), dueSince, NOW);
        Candidate fresh = fresh("fresh", NOW.minus(WINDOW.multipliedBy(30)));

        assertThat(policy.urgent(waiting, NOW)).isTrue();
        assertThat(policy.urgent(waiting, NOW.minusSeconds(1))).isFalse();
        assertThat(policy.order(List.of(fresh, waiting), beliefs, NOW)).first().isEqualTo(waiting);
    }

    @Test
    void noDueMessageWaitsLongerThanMaxWaitUnderASteadyStreamOfFresherCandidates() {
        // Max-wait 3 windows; a slot every tenth of a window, and a fresh message arriving with each slot, so a
        // fresher candidate is always there. The starving one has just failed: its chance stays below a fresh
        // message's score for about 4.8 windows, longer than max-wait.
        SlotPolicy bounded = new SlotPolicy(WINDOW, WINDOW.multipliedBy(3));
        Beliefs sure = new Beliefs(0.95, 100, RecoveryEstimate.prior());
        Duration slot = WINDOW.dividedBy(10);
        Instant due = NOW;
        Candidate starving = failed("starving", due.minusMillis(50), due.minusMillis(50), due, due);
        List<Candidate> waiting = new ArrayList<>(List.of(starving));
        Instant pickedAt = null;
        for (int i = 0; i < 100 && pickedAt == null; i++) {
            Instant t = due.plus(slot.multipliedBy(i));
            waiting.add(new Candidate("fresh-" + i, null, null, t, t));
            Candidate best = bounded.order(waiting, sure, t).getFirst();
            waiting.remove(best);
            if (best == starving) {
                pickedAt = t;
            }
        }
        assertThat(pickedAt).isNotNull();
        assertThat(Duration.between(due, pickedAt)).isLessThanOrEqualTo(WINDOW.multipliedBy(3));
        // The fresh ones were served as they came: none of them waited long.
        Instant recent = pickedAt.minus(WINDOW);
        assertThat(waiting).allSatisfy(c -> assertThat(c.nextAttemptAt()).isAfter(recent));
    }

    @Test
    void tiesGoToTheOldestRequest() {
        Instant first = NOW.minus(WINDOW);
        Candidate younger = failed("a", first, first, first, NOW.minusSeconds(1));
        Candidate older = failed("b", first, first, first, NOW.minusSeconds(5));
        assertThat(policy.order(List.of(younger, older), beliefs, NOW)).containsExactly(older, younger);
    }

    @Test
    void aDegradedMessageIsDueAgainOnceItsChanceReachesOneHalf() {
        Instant next = policy.nextAfterDegraded(beliefs, NOW, NOW);
        double windows = policy.windows(NOW, next);
        assertThat(windows).isBetween(2.75, 3.0);
        Candidate failed = failed("m", NOW, NOW, next, NOW);
        assertThat(policy.chance(failed, beliefs, next)).isBetween(0.49, 0.51);
        // Never later than max-wait after the failure, never sooner than an eighth of a window.
        assertThat(policy.nextAfterDegraded(beliefs, NOW.minus(WINDOW.multipliedBy(100)), NOW))
                .isBetween(NOW.plus(WINDOW.dividedBy(8)), NOW.plus(WINDOW.multipliedBy(5)));
    }

    /** A fresh message due a second ago (intake), whose request was accepted at {@code requested}. */
    private static Candidate fresh(String hash, Instant requested) {
        return new Candidate(hash, null, null, NOW.minusSeconds(1), requested);
    }

    private static Candidate justFailed(String hash, Instant requested) {
        return failed(hash, NOW.minusMillis(200), NOW.minusMillis(200), NOW.minusMillis(100), requested);
    }

    private static Candidate failed(String hash, Instant first, Instant last, Instant due, Instant requested) {
        return new Candidate(hash, first, last, due, requested);
    }
}
