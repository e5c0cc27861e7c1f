package io.signapi.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The project's own launcher, {@code ./stack}, run as a child process with an environment of the tests' own: a home,
 * port base, database and Redis db that no developer stack uses, and the settings the scenarios need.
 * Every command's output goes to {@code <home>/../stack-commands.log}; a failing command fails the test with its
 * output.
 */
final class Stack {

    /** Environment names the stack reads as settings; the developer's own values of them are not passed on. */
    private static final Pattern SETTING = Pattern.compile(
            "(UPSTREAM|GATEWAY|SIGNING|WEBHOOK|SIMULATOR|SPRING|MANAGEMENT|LOGGING|NOTIFIER|WORKER|REDIS|CACHE|STACK"
                    + "|MYSQL)_.*");

    private final Path root;
    private final Path home;
    private final Map<String, String> env;
    private final Path log;

    Stack(Path root, Path home, Map<String, String> env) {
        this.root = root;
        this.home = home;
        this.env = Map.copyOf(env);
        this.log = home.resolveSibling("stack-commands.log");
    }

    Path home() {
        return home;
    }

    /** What a command printed, and how long it took. */
    record Result(int exit, String output, Duration took) {
    }

    /** Runs {@code ./stack args...}; fails unless it exits 0. */
    Result run(String... args) {
        Result result = runQuietly(args);
        if (result.exit() != 0) {
            throw new AssertionError("./stack " + String.join(" ", args) + " exited " + result.exit() + ":\n"
                    + result.output());
        }
        return result;
    }

    /** Runs {@code ./stack args...}, whatever it exits with. */
    Result runQuietly(String... args) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("stack").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> SETTING.matcher(name).matches());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Files.createDirectories(home);
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("./stack " + String.join(" ", args) + " did not end in 5 minutes");
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            Files.writeString(log, "--- " + Instant.now() + " ./stack " + String.join(" ", args) + " (exit "
                    + process.exitValue() + ", " + took.toMillis() + " ms)\n" + output, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new Result(process.exitValue(), output, took);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ./stack " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running ./stack " + String.join(" ", args), e);
        }
    }

    /** {@code ./stack env}: this stack's ports and data. */
    Map<String, String> ports() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : run("env").output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    Result kill(String service) {
        return run("kill", service);
    }

    Result stop(String service, String... instance) {
        return run(args("stop", service, instance));
    }

    Result start(String service, String... instance) {
        return run(args("start", service, instance));
    }

    /** The last lines of a service's log, for a failure message. */
    String logTail(String unit) {
        try {
            List<String> lines = Files.readAllLines(home.resolve("logs").resolve(unit + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log of " + unit + ")";
        }
    }

    private static String[] args(String command, String service, String... instance) {
        List<String> all = new ArrayList<>(List.of(command, service));
        if (instance.length > 0) {
            all.add("--instance");
            all.add(instance[0]);
        }
        return all.toArray(String[]::new);
    }
}
