package io.signapi.common.upstream;

import io.signapi.common.MessageHash;
import io.signapi.common.attempt.SignAttempt;
import io.signapi.common.attempt.SignAttempts;
import io.signapi.common.budget.Admission;
import io.signapi.common.budget.Caller;
import io.signapi.common.budget.UpstreamBudget;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.http.HttpHeaders;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The safety interlock at start-up: with a shrunken budget ({@link UpstreamProperties#shrunken()}) the app calls the
 * upstream's {@code GET /} once, within a budget slot, records the call in {@code sign_attempt}, and refuses to start
 * unless the answer is the simulator's announcement; with the real budget it makes no call.
 */
public class UpstreamProbe implements SmartInitializingSingleton {

    /** The {@code service} field of the simulator's {@code GET /} announcement (docs/ARCHITECTURE.md). */
    public static final String SIMULATOR_SERVICE = "upstream-simulator";
    /** The probe asks for no message: its rows carry the hash of the empty message, which no request can have. */
    public static final String PROBE_MESSAGE_HASH = MessageHash.of("");

    private static final Logger log = LoggerFactory.getLogger(UpstreamProbe.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /**
     * How many counted spans (window plus margin) the probe waits for its slot at most. One is not enough: an app
     * restarted while the budget is saturated can find every slot of the next span already taken.
     */
    public static final int SLOT_WINDOWS = 3;

    /**
     * Room on top of the probe's own bounds (slot wait, upstream timeout, row timeout) before the start fails. Each
     * step bounds itself; this only keeps a cold JVM on a busy machine (every app of a stack starting at once) from
     * being refused for being slow rather than for what the upstream answered.
     */
    private static final Duration SLACK = Duration.ofSeconds(10);

    private final WebClient webClient;
    private final UpstreamProperties props;
    private final UpstreamBudget budget;
    private final DatabaseClient db;
    private final Caller caller;
    private final String instanceId;
    private final Duration recordTimeout;
    private final Clock clock;

    /**
     * @param builder       the HTTP client to probe with (its base URL is set here)
     * @param userAgent     {@code <app>/<instance-id>}, as the app's upstream calls send it
     * @param caller        the app's caller, named in the attempt row; the slot itself is always asked as
     *                      {@link Caller#WORKER}, so that the worker reserve never holds the probe back
     * @param instanceId    the attempt row's instance id
     * @param recordTimeout the bound on writing the attempt row; a row that cannot be written is logged, not fatal
     */
    public UpstreamProbe(WebClient.Builder builder, UpstreamProperties props, String userAgent, UpstreamBudget budget,
            DatabaseClient db, Caller caller, String instanceId, Duration recordTimeout, Clock clock) {
        this.webClient = builder.clone().baseUrl(props.baseUrl().toString())
                .defaultHeader(HttpHeaders.USER_AGENT, userAgent)
                .build();
        this.props = props;
        this.budget = budget;
        this.db = db;
        this.caller = caller;
        this.instanceId = instanceId;
        this.recordTimeout = recordTimeout;
        this.clock = clock;
    }

    /** Runs {@link #probe()} while the context starts, before any listener or loop can call the upstream. */
    @Override
    public void afterSingletonsInstantiated() {
        Duration bound = slotWait().plus(props.timeout()).plus(recordTimeout).plus(SLACK);
        Verdict verdict = probe().block(bound);
        if (verdict == null || verdict.kind() == Verdict.Kind.REFUSED) {
            throw new IllegalStateException(verdict == null ? "Refusing to start: the upstream probe did not finish"
                    : verdict.detail());
        }
    }

    /**
     * The interlock's decision; never errors. With the real budget: {@code NO_PROBE}, no call. Else one slot (asked as
     * {@link Caller#WORKER} and waited for at most {@link #SLOT_WINDOWS} counted spans), one {@code GET /} (a refused
     * connection is retried within {@code upstream.timeout}, since nothing reached the upstream), one attempt row, and
     * {@code SIMULATOR} only if the answer is the simulator's announcement.
     */
    public Mono<Verdict> probe() {
        if (!props.shrunken()) {
            log.info("upstream {}: the real budget ({} calls in {}), no start-up probe needed", props.baseUrl(),
                    props.rateLimit().limit(), props.rateLimit().window());
            return Mono.just(new Verdict(Verdict.Kind.NO_PROBE, "the real budget"));
        }
        Instant slotDeadline = clock.instant().plus(slotWait());
        return slot(slotDeadline)
                .flatMap(granted -> granted ? call() : Mono.just(refused(
                        "no budget slot for the start-up probe within " + SLOT_WINDOWS + " counted spans, "
                                + slotWait().toMillis()
                                + " ms (is Redis reachable?), so the upstream could not be checked")))
                .onErrorResume(e -> Mono.just(refused("the start-up probe failed: " + e)));
    }

    /** The longest wait for the probe's slot: {@link #SLOT_WINDOWS} counted spans. */
    private Duration slotWait() {
        return props.rateLimit().span().multipliedBy(SLOT_WINDOWS);
    }

    /**
     * Asks the budget until it grants, or until the next try would come after the deadline. The probe is one call
     * per start, made before the app does any work: it asks as {@link Caller#WORKER}, which the worker reserve
     * admits, so a gateway restarted while the worker has due work is not held back behind it.
     */
    private Mono<Boolean> slot(Instant deadline) {
        return budget.tryAcquire(Caller.WORKER).flatMap((Admission admission) -> {
            if (admission.granted()) {
                return Mono.just(true);
            }
            Duration wait = admission.waitFor().isZero() ? props.rateLimit().effectiveMargin() : admission.waitFor();
            if (clock.instant().plus(wait).isAfter(deadline)) {
                return Mono.just(false);
            }
            return Mono.delay(wait).then(Mono.defer(() -> slot(deadline)));
        });
    }

    private Mono<Verdict> call() {
        Instant started = clock.instant();
        Duration retryEvery = props.rateLimit().effectiveMargin();
        return webClient.get().uri("/")
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(body -> new Answer(response.statusCode().value(),
                                announced(response.statusCode().is2xxSuccessful(), body), null)))
                // Nothing reached the upstream yet: the simulator may still be starting (compose starts it alongside).
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, retryEvery).filter(UpstreamProbe::notConnected))
                .timeout(props.timeout())
                .onErrorResume(e -> Mono.just(new Answer(null, false, describe(e))))
                .flatMap(answer -> record(started, answer).thenReturn(verdict(answer)));
    }

    private Mono<Void> record(Instant started, Answer answer) {
        Instant finished = clock.instant();
        SignAttempt row = new SignAttempt(PROBE_MESSAGE_HASH, caller, instanceId, started, finished,
                SignAttempt.Outcome.PROBE, answer.status(), Duration.between(started, finished));
        return SignAttempts.insert(db, row)
                .timeout(recordTimeout)
                .doOnError(e -> log.warn("sign_attempt row of the start-up probe not written: {}", e.toString()))
                .onErrorComplete();
    }

    private Verdict verdict(Answer answer) {
        if (answer.announced()) {
            log.info("upstream {} announced itself as the simulator: the shrunken budget ({} calls in {}) is allowed",
                    props.baseUrl(), props.rateLimit().limit(), props.rateLimit().window());
            return new Verdict(Verdict.Kind.SIMULATOR, "announced");
        }
        String what = answer.status() == null ? "gave no answer (" + answer.failure() + ")"
                : "answered " + answer.status() + " without the simulator's announcement";
        return refused("GET " + props.baseUrl() + " " + what + ", so it is treated as the real upstream");
    }

    private Verdict refused(String why) {
        String detail = ("Refusing to start: upstream.rate-limit.limit=%d and upstream.rate-limit.window=%s shrink the"
                + " budget below the real upstream's (at most %d calls in any %ds), which only the project's simulator"
                + " may have; %s. Whatever its address (loopback, private or public), an upstream counts as the"
                + " simulator only when its GET / announces it. Use the real budget (unset both settings) or point"
                + " upstream.base-url at the simulator.").formatted(props.rateLimit().limit(),
                props.rateLimit().window(), UpstreamProperties.REAL_MAX_LIMIT,
                UpstreamProperties.REAL_MIN_WINDOW.toSeconds(), why);
        log.error(detail);
        return new Verdict(Verdict.Kind.REFUSED, detail);
    }

    /** A 2xx whose JSON body names the simulator as its {@code service}. */
    static boolean announced(boolean success, String body) {
        if (!success || body.isBlank()) {
            return false;
        }
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode service = node.get("service");
            return service != null && service.isString() && SIMULATOR_SERVICE.equals(service.asString());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean notConnected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private String describe(Throwable e) {
        if (e instanceof TimeoutException) {
            return "no answer within upstream.timeout, " + props.timeout().toMillis() + " ms";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** What the probe's call came to: the status (null without an answer), whether it was the announcement. */
    private record Answer(Integer status, boolean announced, String failure) {
    }

    /**
     * The interlock's decision.
     *
     * @param detail for {@code REFUSED}, the message the app refuses to start with
     */
    public record Verdict(Kind kind, String detail) {

        public enum Kind {
            /** The real budget: no probe was made. */
            NO_PROBE,
            /** The upstream announced itself as the simulator: the shrunken budget is allowed. */
            SIMULATOR,
            /** The app must not start. */
            REFUSED
        }
    }
}
