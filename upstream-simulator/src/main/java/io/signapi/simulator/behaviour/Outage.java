package io.signapi.simulator.behaviour;

import java.util.Locale;

/** A simulated outage of the whole upstream, on top of the per-message degradation. */
public enum Outage {
    /** No outage: per-message degradation only. */
    NONE,
    /** Every sign call answers 502. */
    ERROR,
    /** Sign and verify calls are never answered. */
    HANG;

    /** The lower-case name used in settings and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Outage parse(String value) {
        for (Outage outage : values()) {
            if (outage.label().equalsIgnoreCase(value.strip())) {
                return outage;
            }
        }
        throw new InvalidChangeException("outage", "must be one of none, error, hang");
    }
}
