package io.signapi.systemtests;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/** The simulator's admin API over HTTP: {@code /__sim/stats}, {@code /__sim/calls}, {@code /__sim/config}, reset. */
final class SimulatorAdmin {

    /** One entry of the raw call log; {@code completedAt} null while in flight. */
    record Call(long at, String path, String message, int status, String caller, Long completedAt) {

        boolean sign() {
            return "/crypto/sign".equals(path);
        }

        /** Whether the call took a slot of the simulator's limit (refused calls and bad keys take none). */
        boolean admitted() {
            return status != 429 && status != 401;
        }

        long end() {
            return completedAt == null ? Long.MAX_VALUE : completedAt;
        }
    }

    private final String base;

    SimulatorAdmin(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    JsonNode stats() {
        Http.Answer answer = Http.get(base + "/__sim/stats");
        check(answer, "stats");
        return answer.json();
    }

    List<Call> calls() {
        Http.Answer answer = Http.get(base + "/__sim/calls");
        check(answer, "calls");
        List<Call> calls = new ArrayList<>();
        for (JsonNode c : answer.json()) {
            calls.add(new Call(c.get("at").asLong(), c.get("path").asString(),
                    c.get("message").isNull() ? null : c.get("message").asString(), c.get("status").asInt(),
                    c.get("caller").isNull() ? null : c.get("caller").asString(),
                    c.get("completedAt").isNull() ? null : c.get("completedAt").asLong()));
        }
        calls.sort(Comparator.comparingLong(Call::at));
        return calls;
    }

    void reset() {
        check(Http.post(base + "/__sim/reset", null), "reset");
    }

    void configure(String json) {
        check(Http.post(base + "/__sim/config", json), "config " + json);
    }

    /**
     * Violations of the limit recounted from the raw call log: every call answered {@code 429}, and every admitted
     * call that was more than {@code limit} admitted within the window before it (arrival times, as the simulator
     * counts them).
     */
    static long violations(List<Call> calls, int limit, long windowMillis) {
        long refused = calls.stream().filter(c -> c.status() == 429).count();
        List<Long> admitted = calls.stream().filter(Call::admitted).map(Call::at).sorted().toList();
        long over = 0;
        int from = 0;
        for (int i = 0; i < admitted.size(); i++) {
            while (admitted.get(from) <= admitted.get(i) - windowMillis) {
                from++;
            }
            if (i - from + 1 > limit) {
                over++;
            }
        }
        return refused + over;
    }

    /** The most admitted calls within any window-length span. */
    static int maxInWindow(List<Call> calls, long windowMillis) {
        List<Long> admitted = calls.stream().filter(Call::admitted).map(Call::at).sorted().toList();
        int max = 0;
        int from = 0;
        for (int i = 0; i < admitted.size(); i++) {
            while (admitted.get(from) <= admitted.get(i) - windowMillis) {
                from++;
            }
            max = Math.max(max, i - from + 1);
        }
        return max;
    }

    /**
     * Messages that were in flight at two different callers at once (both callers' names starting with
     * {@code callerPrefix}): overlapping {@code [at, completedAt]} intervals, a call still in flight lasting forever.
     */
    static Map<String, String> overlaps(List<Call> calls, String callerPrefix) {
        Map<String, List<Call>> byMessage = new TreeMap<>();
        calls.stream().filter(c -> c.message() != null && c.caller() != null && c.caller().startsWith(callerPrefix))
                .forEach(c -> byMessage.computeIfAbsent(c.message(), m -> new ArrayList<>()).add(c));
        Map<String, String> overlapping = new TreeMap<>();
        byMessage.forEach((message, list) -> {
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size(); j++) {
                    Call a = list.get(i);
                    Call b = list.get(j);
                    if (!a.caller().equals(b.caller()) && a.at() <= b.end() && b.at() <= a.end()) {
                        overlapping.put(message, a + " and " + b);
                    }
                }
            }
        });
        return overlapping;
    }

    private static void check(Http.Answer answer, String what) {
        if (answer.status() / 100 != 2) {
            throw new AssertionError("simulator " + what + ": " + answer.status() + " " + answer.body());
        }
    }
}
