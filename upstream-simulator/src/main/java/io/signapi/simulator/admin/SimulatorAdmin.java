package io.signapi.simulator.admin;

import io.signapi.simulator.behaviour.Behaviour;
import io.signapi.simulator.behaviour.BehaviourControl;
import io.signapi.simulator.behaviour.InvalidChangeException;
import io.signapi.simulator.degradation.Degradation;
import io.signapi.simulator.degradation.Plan;
import io.signapi.simulator.ratelimit.SlidingWindowLimiter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The simulator's control surface: stats, call log, reset, runtime configuration and the degradation plan. */
public class SimulatorAdmin {

    private static final List<String> FIXED_FIELDS = List.of("seed", "limit", "windowMillis");

    private final CallRecorder recorder;
    private final SlidingWindowLimiter limiter;
    private final Degradation degradation;
    private final BehaviourControl behaviour;
    private final long seed;

    public SimulatorAdmin(CallRecorder recorder, SlidingWindowLimiter limiter, Degradation degradation,
            BehaviourControl behaviour, long seed) {
        this.recorder = recorder;
        this.limiter = limiter;
        this.degradation = degradation;
        this.behaviour = behaviour;
        this.seed = seed;
    }

    public Stats stats() {
        return recorder.stats(limiter.maxInWindow(), limiter.limit(), limiter.windowMillis());
    }

    public List<CallRecord> calls() {
        return recorder.calls();
    }

    /** What the degradation model holds for a message under the current behaviour; records no call. */
    public Plan plan(String message) {
        return degradation.plan(message, behaviour.current());
    }

    /** Clears counters, the call log, the rate-limit window and every message's degradation; keeps the config. */
    public void reset() {
        recorder.reset();
        limiter.reset();
        degradation.reset();
    }

    /** The whole current config: the changeable fields plus the fixed seed, limit and window. */
    public Map<String, Object> config() {
        return describe(behaviour.current());
    }

    /** Applies the given fields (names as in {@link #config()}) together, then answers the whole config. */
    public Map<String, Object> configure(Map<String, ?> changes) {
        Map<String, Object> changeable = new LinkedHashMap<>(changes);
        // A client may post back the whole config it read; the fixed fields are fine as long as they are unchanged.
        Map<String, Object> current = config();
        for (String fixed : FIXED_FIELDS) {
            if (changeable.containsKey(fixed)) {
                Object value = changeable.remove(fixed);
                if (!(value instanceof Number number) || number.doubleValue() != ((Number) current.get(fixed)).doubleValue()) {
                    throw new InvalidChangeException(fixed, "is fixed at start-up");
                }
            }
        }
        return describe(behaviour.change(changeable));
    }

    /** Goes back to the config the simulator started with, and answers it. */
    public Map<String, Object> restoreConfig() {
        return describe(behaviour.restore());
    }

    private Map<String, Object> describe(Behaviour current) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("seed", seed);
        config.putAll(current.toJson());
        config.put("limit", limiter.limit());
        config.put("windowMillis", limiter.windowMillis());
        return config;
    }
}
