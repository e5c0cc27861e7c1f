package io.signapi.systemtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The per-scenario summary, printed after each scenario and all together at the end. */
final class Summary {

    private static final List<String> LINES = new ArrayList<>();

    private Summary() {
    }

    static synchronized void add(String scenario, Duration took, String outcome, String figures) {
        String line = String.format("%-22s %-6s %6.1f s  %s", scenario, outcome, took.toMillis() / 1000.0, figures);
        LINES.add(line);
        System.out.println("[system-tests] " + line);
    }

    static synchronized void print(Duration total) {
        System.out.println();
        System.out.println("[system-tests] ==== per-scenario summary ====");
        LINES.forEach(line -> System.out.println("[system-tests] " + line));
        System.out.printf("[system-tests] total, stack up and down included: %.1f s%n", total.toMillis() / 1000.0);
    }
}
