package io.signapi.common.budget;

import java.time.Duration;

/**
 * The budget's answer to one request for a slot.
 *
 * @param granted whether the caller may make one upstream call now (the slot is already recorded)
 * @param waitFor when not granted: the exact time until a slot could be free for this caller, or until the pause
 *     ends, or a short retry interval when Redis is unreachable; zero when granted
 */
public record Admission(boolean granted, Duration waitFor) {

    public static Admission grant() {
        return new Admission(true, Duration.ZERO);
    }

    public static Admission deny(Duration waitFor) {
        return new Admission(false, waitFor);
    }
}
