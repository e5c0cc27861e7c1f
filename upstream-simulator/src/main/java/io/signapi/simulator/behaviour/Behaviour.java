package io.signapi.simulator.behaviour;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How the simulated upstream behaves right now: degradation, latency, outage and the key it accepts; immutable,
 * replaced as a whole on change.
 *
 * @param failureRate share of messages whose first call fails (0–1)
 * @param degradedMinWindows shortest degraded period, in rate-limit windows
 * @param degradedMaxWindows longest degraded period, in rate-limit windows
 * @param latencyMin lower bound of an answered call's latency
 * @param latencyMax upper bound of an answered call's latency
 * @param slowShare share of answered calls that take {@code slow} instead (0–1)
 * @param slow latency of a slow call
 * @param outage the current outage mode
 * @param apiKey the only value of {@code Authorization} accepted by {@code /crypto/*}
 */
public record Behaviour(
        double failureRate,
        double degradedMinWindows,
        double degradedMaxWindows,
        Duration latencyMin,
        Duration latencyMax,
        double slowShare,
        Duration slow,
        Outage outage,
        String apiKey) {

    public Behaviour {
        requireShare("failureRate", failureRate);
        requireShare("slowShare", slowShare);
        if (!(degradedMinWindows >= 0)) {
            throw new InvalidChangeException("degradedMinWindows", "must be zero or more");
        }
        if (!(degradedMaxWindows >= degradedMinWindows) || Double.isInfinite(degradedMaxWindows)) {
            throw new InvalidChangeException("degradedMaxWindows", "must not be less than degradedMinWindows");
        }
        requireNotNegative("latencyMinMillis", latencyMin);
        requireNotNegative("latencyMaxMillis", latencyMax);
        if (latencyMax.compareTo(latencyMin) < 0) {
            throw new InvalidChangeException("latencyMaxMillis", "must not be less than latencyMinMillis");
        }
        requireNotNegative("slowMillis", slow);
        if (outage == null) {
            throw new InvalidChangeException("outage", "must be one of none, error, hang");
        }
        if (apiKey == null || apiKey.isEmpty()) {
            throw new InvalidChangeException("apiKey", "must not be empty");
        }
    }

    /** This behaviour with the given JSON fields changed; unknown fields and bad values are rejected. */
    public Behaviour withChanges(Map<String, ?> changes) {
        double failure = failureRate;
        double minWindows = degradedMinWindows;
        double maxWindows = degradedMaxWindows;
        Duration minLatency = latencyMin;
        Duration maxLatency = latencyMax;
        double slowCalls = slowShare;
        Duration slowLatency = slow;
        Outage mode = outage;
        String key = apiKey;
        for (Map.Entry<String, ?> change : changes.entrySet()) {
            String field = change.getKey();
            Object value = change.getValue();
            switch (field) {
                case "failureRate" -> failure = number(field, value);
                case "degradedMinWindows" -> minWindows = number(field, value);
                case "degradedMaxWindows" -> maxWindows = number(field, value);
                case "latencyMinMillis" -> minLatency = millis(field, value);
                case "latencyMaxMillis" -> maxLatency = millis(field, value);
                case "slowShare" -> slowCalls = number(field, value);
                case "slowMillis" -> slowLatency = millis(field, value);
                case "outage" -> mode = Outage.parse(text(field, value));
                case "apiKey" -> key = text(field, value);
                default -> throw new InvalidChangeException(field, "is not a setting of the simulator");
            }
        }
        return new Behaviour(failure, minWindows, maxWindows, minLatency, maxLatency, slowCalls, slowLatency, mode,
                key);
    }

    /** The latency of one answered call: {@code slow} for a {@code slowShare} of calls, else uniform in range. */
    public Duration pickLatency(RandomGenerator random) {
        if (slowShare > 0 && random.nextDouble() < slowShare) {
            return slow;
        }
        long min = latencyMin.toNanos();
        long max = latencyMax.toNanos();
        return Duration.ofNanos(max == min ? min : random.nextLong(min, max + 1));
    }

    /** The fields as {@code POST /__sim/config} names them. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("failureRate", failureRate);
        json.put("degradedMinWindows", degradedMinWindows);
        json.put("degradedMaxWindows", degradedMaxWindows);
        json.put("latencyMinMillis", latencyMin.toMillis());
        json.put("latencyMaxMillis", latencyMax.toMillis());
        json.put("slowShare", slowShare);
        json.put("slowMillis", slow.toMillis());
        json.put("outage", outage.label());
        // In clear: whoever can read this loopback admin surface can set the key anyway, and a client posting the
        // config it read back must not change the key.
        json.put("apiKey", apiKey);
        return json;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = toJson();
        shown.put("apiKey", "****");
        return "Behaviour" + shown;
    }

    private static void requireShare(String field, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new InvalidChangeException(field, "must be between 0 and 1");
        }
    }

    private static void requireNotNegative(String field, Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new InvalidChangeException(field, "must be zero or more");
        }
    }

    private static double number(String field, Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        throw new InvalidChangeException(field, "must be a number");
    }

    private static Duration millis(String field, Object value) {
        double millis = number(field, value);
        if (millis != Math.rint(millis)) {
            throw new InvalidChangeException(field, "must be a whole number of milliseconds");
        }
        return Duration.ofMillis((long) millis);
    }

    private static String text(String field, Object value) {
        if (value instanceof String string) {
            return string;
        }
        throw new InvalidChangeException(field, "must be a string");
    }
}
