package io.signapi.simulator.admin;

/** How the simulator answered one call to {@code /crypto/sign} or {@code /crypto/verify}. */
public enum CallOutcome {
    SIGNED(200),
    DEGRADED(502),
    VALID_SIGNATURE(200),
    INVALID_SIGNATURE(400),
    RATE_LIMITED(429),
    UNAUTHORIZED(401),
    BAD_REQUEST(400),
    /** Held open by the {@code hang} outage; never answered. */
    HUNG(0);

    private final int status;

    CallOutcome(int status) {
        this.status = status;
    }

    /** The HTTP status answered, or 0 for a call never answered. */
    public int status() {
        return status;
    }
}
