package io.signapi.simulator.degradation;

import io.signapi.simulator.behaviour.Behaviour;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Per-message degradation: a failing message stays degraded for its drawn period from its first sign call. */
public class Degradation {

    private final DegradationModel model;
    private final Duration window;
    private final ConcurrentMap<DegradationModel.MessageKey, Long> firstSeen = new ConcurrentHashMap<>();

    public Degradation(DegradationModel model, Duration window) {
        this.model = model;
        this.window = window;
    }

    /** Records a sign call arriving at {@code atMillis} and tells whether it is answered 502. */
    public boolean degraded(String message, long atMillis, Behaviour behaviour) {
        DegradationModel.Draws draws = model.draws(message);
        // The smallest stamp wins, so concurrent first calls agree on when the period started.
        long first = firstSeen.merge(draws.key(), atMillis, Math::min);
        if (!draws.firstCallFails(behaviour)) {
            return false;
        }
        return atMillis < first + draws.degradedPeriod(behaviour, window).toMillis();
    }

    /** What the model holds for a message under the given behaviour; no call is recorded. */
    public Plan plan(String message, Behaviour behaviour) {
        DegradationModel.Draws draws = model.draws(message);
        boolean failsFirst = draws.firstCallFails(behaviour);
        return new Plan(failsFirst, failsFirst ? draws.degradedPeriod(behaviour, window).toMillis() : 0);
    }

    /** Forgets every message seen, so each next call is a first call again. */
    public void reset() {
        firstSeen.clear();
    }
}
