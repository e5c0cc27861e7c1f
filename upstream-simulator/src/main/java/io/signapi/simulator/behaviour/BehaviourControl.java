package io.signapi.simulator.behaviour;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Holds the current behaviour and swaps it atomically on a runtime change. */
public class BehaviourControl {

    private final Behaviour initial;
    private final AtomicReference<Behaviour> current;

    public BehaviourControl(Behaviour initial) {
        this.initial = initial;
        this.current = new AtomicReference<>(initial);
    }

    public Behaviour current() {
        return current.get();
    }

    /** Applies the changes all together or, if any is invalid, not at all. */
    public Behaviour change(Map<String, ?> changes) {
        return current.updateAndGet(behaviour -> behaviour.withChanges(changes));
    }

    /** Goes back to the behaviour the simulator started with. */
    public Behaviour restore() {
        current.set(initial);
        return initial;
    }
}
