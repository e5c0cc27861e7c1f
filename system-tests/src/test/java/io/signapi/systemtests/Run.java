package io.signapi.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import io.signapi.systemtests.SignClient.Outcome;
import io.signapi.systemtests.SignClient.Sign;
import io.signapi.testsupport.HttpReceiver;
import io.signapi.testsupport.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * One scenario's traffic and what the system did with it, read only through public interfaces: the gateway's
 * answers and status URLs, {@code sign.requests} and {@code sign.results}, the webhooks the test's receiver got, the
 * mails in GreenMail and the simulator's raw call log.
 */
final class Run implements AutoCloseable {

    /** The longest a scenario waits for everything to be signed and notified after its traffic. */
    static final Duration SETTLE = Duration.ofSeconds(120);
    static final Duration PROMISE = Duration.ofSeconds(2);

    final String name;
    final String prefix;
    final String email;
    final String hookPath;
    final Instant started = Instant.now();
    final Env env;
    final Inbox inbox;
    final List<CompletableFuture<Outcome>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger expected = new java.util.concurrent.atomic.AtomicInteger();
    final Map<String, Object> figures = new LinkedHashMap<>();
    private final Map<String, String> signatures = new ConcurrentHashMap<>();

    /** The shared things a run reads from. */
    record Env(SignClient client, SimulatorAdmin simulator, HttpReceiver hooks, String bootstrap, int mailApiPort,
            int gatewayPort, String webhookSecret) {
    }

    Run(String name, String tag, Env env) {
        this.name = name;
        this.env = env;
        String nonce = Long.toString(System.currentTimeMillis(), 36);
        this.prefix = tag + "-" + nonce + "-";
        this.email = tag + "-" + nonce + "@example.test";
        this.hookPath = "/hooks/" + tag + "-" + nonce;
        this.inbox = new Inbox(env.mailApiPort(), email);
    }

    String message(int i) {
        return prefix + i;
    }

    /** A request for message i with email and webhook, to the given gateway port, with a key of its own. */
    Sign notified(int i, int gatewayPort, String keySuffix) {
        return new Sign(gatewayPort, message(i), prefix + i + keySuffix, email, env.hooks().url(hookPath));
    }

    Sign notified(int i) {
        return notified(i, env.gatewayPort(), "");
    }

    Sign plain(int i, String keySuffix) {
        return new Sign(env.gatewayPort(), message(i), prefix + i + keySuffix, null, null);
    }

    /** Sends these requests at once. */
    void send(List<Sign> signs) {
        expected.addAndGet(signs.size());
        pending.addAll(env.client().sendAll(signs));
    }

    /** Sends these requests one every {@code interval}, from a thread of its own; returns at once. */
    void trickle(List<Sign> signs, Duration interval) {
        expected.addAndGet(signs.size());
        Thread.ofVirtual().name("trickle-" + prefix).start(() -> {
            long next = System.nanoTime();
            for (Sign sign : signs) {
                java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                pending.add(env.client().send(sign));
                next += interval.toNanos();
            }
        });
    }

    long answered() {
        return pending.stream().filter(CompletableFuture::isDone).count();
    }

    /** Waits until every request sent has its final answer; they must all be 200 or 202. */
    List<Outcome> outcomes() {
        await("every request answered").atMost(SignClient.GIVE_UP.plusSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> pending.size() == expected.get()
                        && pending.stream().allMatch(CompletableFuture::isDone));
        List<Outcome> outcomes = pending.stream().map(CompletableFuture::join).toList();
        assertThat(outcomes).as("final answers").allSatisfy(o -> assertThat(o.status())
                .as("%s: %s", o.sign().message(), o.attempts()).isIn(200, 202));
        return outcomes;
    }

    /** Every answer any attempt got came within the 2-second promise. */
    void assertAnswersWithinPromise(List<Outcome> outcomes) {
        Duration slowest = outcomes.stream().map(Outcome::slowestAnswer).max(Duration::compareTo).orElse(Duration.ZERO);
        figures.put("slowest answer", slowest.toMillis() + " ms");
        assertThat(outcomes).as("every answer within 2 s").allSatisfy(o -> assertThat(o.slowestAnswer())
                .as("%s: %s", o.sign().message(), o.attempts()).isLessThanOrEqualTo(PROMISE));
    }

    /** The request ids of this run's records in {@code sign.requests}: the requests the system accepted for later. */
    Set<String> queuedIds() {
        return TopicRecords.readAll(env.bootstrap(), "sign.requests").stream()
                .filter(r -> r.value() != null && r.json().path("message").asString().startsWith(prefix))
                .map(r -> r.json().path("requestId").asString()).collect(Collectors.toCollection(HashSet::new));
    }

    /**
     * Everything is signed: a 200 carries the signature; every queued request reads SIGNED at its status URL; and
     * every queued request has a SIGNED {@code SignCompleted} in {@code sign.results}. Answers the queued ids.
     */
    Set<String> assertAllSigned(List<Outcome> outcomes) {
        Set<String> queued = queuedIds();
        Map<String, Long> statuses = outcomes.stream()
                .collect(Collectors.groupingBy(o -> Integer.toString(o.status()), TreeMap::new, Collectors.counting()));
        figures.put("answers", statuses);
        figures.put("retried", outcomes.stream().filter(o -> o.attempts().size() > 1).count());
        figures.put("queued", queued.size());
        for (Outcome o : outcomes) {
            if (o.status() == 200) {
                assertThat(o.last().body()).as("a 200's body is the signature").hasSize(344);
                signatures.putIfAbsent(o.requestId(), o.last().body());
            }
            o.acceptedId().ifPresent(id -> assertThat(queued).as("a 202's id is in sign.requests").contains(id));
            if (o.attempts().size() == 1 && o.status() == 200) {
                assertThat(queued).as("a request answered 200 at once is never queued").doesNotContain(o.requestId());
            }
        }
        Set<String> left = ConcurrentHashMap.newKeySet();
        left.addAll(queued);
        await("every queued request SIGNED").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (String id : List.copyOf(left)) {
                Http.Answer answer = Http.get("http://127.0.0.1:" + env.gatewayPort() + "/crypto/sign/requests/" + id);
                if (answer.status() == 200 && "SIGNED".equals(answer.json().path("status").asString())) {
                    signatures.put(id, answer.json().path("signature").asString());
                    left.remove(id);
                }
            }
            return left.isEmpty();
        });
        figures.put("all signed after", Duration.between(started, Instant.now()).toMillis() / 1000.0 + " s");
        // The outbox publishes after the commit that made a request SIGNED, and a publish that failed (Kafka
        // stopped) is left to the sweeper: a SignCompleted may follow its status by a few sweeps.
        Map<String, JsonNode> results = new TreeMap<>();
        await("a SignCompleted for every queued request").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    TopicRecords.readAll(env.bootstrap(), "sign.results").stream().filter(r -> r.value() != null)
                            .filter(r -> queued.contains(r.json().path("requestId").asString()))
                            .forEach(r -> results.put(r.json().path("requestId").asString(), r.json()));
                    assertThat(results.keySet()).as("a SignCompleted for every queued request").containsAll(queued);
                });
        assertThat(results.values()).allSatisfy(r -> assertThat(r.path("status").asString()).isEqualTo("SIGNED"));
        return queued;
    }

    List<HttpReceiver.Request> webhooks() {
        return env.hooks().requests().stream().filter(r -> r.path().equals(hookPath)).toList();
    }

    /**
     * Each queued request gets a mail and a webhook, and nothing else does; every webhook verifies with the Standard
     * Webhooks library under the stack's secret and carries the request's signature. With {@code exactlyOnce} no
     * request gets a second copy, checked over a quiet spell; otherwise the duplicates are answered, by request id,
     * with the instants their copies were received.
     */
    Map<String, List<Instant>> assertNotified(Set<String> queued, boolean exactlyOnce) {
        Set<String> expectedHooks = queued.stream().map(id -> "msg_" + id).collect(Collectors.toSet());
        await("a webhook and a mail for every queued request").atMost(SETTLE).pollInterval(Duration.ofMillis(250))
                .until(() -> webhooks().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet())
                        .containsAll(expectedHooks)
                        && inbox.mails().stream().map(Inbox.Mail::requestId).collect(Collectors.toSet())
                        .containsAll(queued));
        if (exactlyOnce) {
            await("no second copy").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> webhooks().size() == queued.size() && inbox.count() == queued.size());
        }
        Webhook verifier = new Webhook(env.webhookSecret());
        Map<String, List<Instant>> duplicates = new TreeMap<>();
        Map<String, List<Instant>> hooksById = new TreeMap<>();
        for (HttpReceiver.Request hook : webhooks()) {
            try {
                verifier.verify(hook.bodyText(), hook.headers());
            } catch (Exception e) {
                throw new AssertionError("a webhook does not verify: " + hook.headers() + " " + hook.bodyText(), e);
            }
            JsonNode body = Http.JSON.readTree(hook.bodyText());
            String id = body.path("requestId").asString();
            assertThat(queued).as("webhooks go to queued requests only").contains(id);
            assertThat(hook.header("webhook-id")).isEqualTo("msg_" + id);
            assertThat(body.path("status").asString()).isEqualTo("SIGNED");
            assertThat(body.path("signature").asString()).as("webhook signature of %s", id)
                    .isEqualTo(signatures.get(id));
            hooksById.computeIfAbsent("webhook " + id, k -> new ArrayList<>()).add(hook.at());
        }
        Map<String, List<Instant>> mailsById = new TreeMap<>();
        for (Inbox.Mail mail : inbox.mails()) {
            String id = mail.requestId();
            assertThat(queued).as("mails go to queued requests only: %s", mail.messageId()).contains(id);
            assertThat(mail.text()).as("mail of %s carries its signature", id).contains(signatures.get(id));
            mailsById.computeIfAbsent("mail " + id, k -> new ArrayList<>()).add(mail.seenAt());
        }
        hooksById.forEach((k, v) -> { if (v.size() > 1) { duplicates.put(k, v); } });
        mailsById.forEach((k, v) -> { if (v.size() > 1) { duplicates.put(k, v); } });
        figures.put("webhooks", webhooks().size());
        figures.put("mails", inbox.count());
        figures.put("duplicates", duplicates.size());
        if (exactlyOnce) {
            assertThat(duplicates).as("duplicate notifications").isEmpty();
        }
        return duplicates;
    }

    /**
     * Duplicates may only come from deliveries in flight at a fault (a notifier SIGKILL, MySQL unreachable): each
     * duplicate's first copy arrived within one delivery timeout before one of the faults (a mail is seen up to one
     * inbox poll after it arrived).
     */
    static void assertDuplicatesOnlyNear(Map<String, List<Instant>> duplicates, List<Instant> faults,
            Duration webhookTimeout, Duration mailTimeout) {
        duplicates.forEach((what, copies) -> {
            Instant first = copies.getFirst();
            boolean mail = what.startsWith("mail");
            Duration before = mail ? mailTimeout.plus(Inbox.POLL) : webhookTimeout;
            Duration after = mail ? Inbox.POLL : Duration.ZERO;
            assertThat(faults).as("%s: copies at %s, faults at %s", what, copies, faults)
                    .anySatisfy(fault -> assertThat(first).isBetween(fault.minus(before), fault.plus(after)));
        });
    }

    /** Violations of the upstream limit, recounted from the raw call log of this run (the simulator was reset). */
    List<SimulatorAdmin.Call> assertNoViolations() {
        List<SimulatorAdmin.Call> calls = env.simulator().calls();
        JsonNode stats = env.simulator().stats();
        int limit = stats.path("limit").asInt();
        long window = stats.path("windowMillis").asLong();
        long violations = SimulatorAdmin.violations(calls, limit, window);
        figures.put("upstream calls", calls.size());
        figures.put("max in a window", SimulatorAdmin.maxInWindow(calls, window) + "/" + limit);
        figures.put("violations", violations);
        assertThat(stats.path("rateLimited").asLong()).as("the simulator's rateLimited").isZero();
        assertThat(violations).as("violations recounted from the call log").isZero();
        return calls;
    }

    /**
     * The end of a run whose requests all ask for a mail and a webhook: everything signed, each queued request notified
     * exactly once, no upstream violation and every answer within the promise. {@code callChecks}, the scenario's own
     * checks of the upstream calls, run after the limit is checked and before the promise is.
     */
    void assertSignedAndNotifiedOnce(List<Outcome> outcomes, Consumer<List<SimulatorAdmin.Call>> callChecks) {
        var queued = assertAllSigned(outcomes);
        assertNotified(queued, true);
        callChecks.accept(assertNoViolations());
        assertAnswersWithinPromise(outcomes);
    }

    /** The same, with no checks of the scenario's own. */
    void assertSignedAndNotifiedOnce(List<Outcome> outcomes) {
        assertSignedAndNotifiedOnce(outcomes, calls -> { });
    }

    /**
     * As {@link #assertSignedAndNotifiedOnce(List)}, except that a request may be notified more than once when a delivery of it
     * was in flight at one of the {@code faults}.
     */
    void assertSignedAndNotifiedDespite(List<Outcome> outcomes, List<Instant> faults, Duration webhookTimeout,
            Duration mailTimeout) {
        var queued = assertAllSigned(outcomes);
        assertDuplicatesOnlyNear(assertNotified(queued, false), faults, webhookTimeout, mailTimeout);
        assertNoViolations();
        assertAnswersWithinPromise(outcomes);
    }

    String figures() {
        return figures.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        inbox.close();
    }
}
