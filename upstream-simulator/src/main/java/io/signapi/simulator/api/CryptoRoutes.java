package io.signapi.simulator.api;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import io.signapi.simulator.admin.CallOutcome;
import io.signapi.simulator.admin.CallRecorder;
import io.signapi.simulator.behaviour.Behaviour;
import io.signapi.simulator.behaviour.BehaviourControl;
import io.signapi.simulator.behaviour.Outage;
import io.signapi.simulator.degradation.Degradation;
import io.signapi.simulator.ratelimit.SlidingWindowLimiter;
import io.signapi.simulator.signing.MessageSigner;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The simulated upstream API: {@code GET /crypto/sign} and {@code GET /crypto/verify}, with the real API's status
 * codes and bodies, and {@code GET /}, where it announces itself (the apps' start-up probe looks for it).
 */
public class CryptoRoutes {

    static final String WELCOME = "Welcome to the signing API. Sign with GET /crypto/sign?message=..., verify with "
            + "GET /crypto/verify?message=...&signature=..., passing your API key in the Authorization header.";
    /** The announcement's header and the value of its body's {@code service} field (docs/ARCHITECTURE.md). */
    public static final String ANNOUNCEMENT_HEADER = "Upstream-Simulator";
    public static final String SERVICE = "upstream-simulator";
    static final String UNAUTHORIZED = "Error 401: Unauthorized.";
    static final String MISSING_MESSAGE = "Must specify a message.";
    static final String MISSING_SIGNATURE = "Must specify a signature.";
    static final String RATE_LIMITED = "Error 429: Rate limit exceeded.";
    static final String DEGRADED = "Error 502: Failed to sign message due to simulated service degradation.";
    static final String VALID = "Signature verified as valid!";
    static final String INVALID = "Error 400: Invalid signature for message!";

    private final SlidingWindowLimiter limiter;
    private final BehaviourControl behaviour;
    private final Degradation degradation;
    private final MessageSigner signer;
    private final CallRecorder recorder;
    private final Clock clock;

    public CryptoRoutes(SlidingWindowLimiter limiter, BehaviourControl behaviour, Degradation degradation,
            MessageSigner signer, CallRecorder recorder, Clock clock) {
        this.limiter = limiter;
        this.behaviour = behaviour;
        this.degradation = degradation;
        this.signer = signer;
        this.recorder = recorder;
        this.clock = clock;
    }

    public RouterFunction<ServerResponse> routes() {
        return route(GET("/"), request -> announce())
                .andRoute(GET(CallRecorder.SIGN_PATH), this::sign)
                .andRoute(GET(CallRecorder.VERIFY_PATH), this::verify);
    }

    /**
     * {@code GET /}: the welcome text inside a JSON announcement that this is the simulator, with the budget it
     * enforces; no key needed, not counted, answered even during an outage.
     */
    private Mono<ServerResponse> announce() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", SERVICE);
        body.put("welcome", WELCOME);
        body.put("limit", limiter.limit());
        body.put("windowMillis", limiter.windowMillis());
        return ServerResponse.ok().header(ANNOUNCEMENT_HEADER, SERVICE).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body);
    }

    private Mono<ServerResponse> sign(ServerRequest request) {
        return withQuery(request, CallRecorder.SIGN_PATH, this::sign);
    }

    private Mono<ServerResponse> sign(ServerRequest request, long at, String path, Query query) {
        String message = query.first("message");
        Behaviour current = behaviour.current();
        Mono<ServerResponse> refused = checkAdmission(request, current, at, path, message, false);
        if (refused != null) {
            return refused;
        }
        boolean degraded = degradation.degraded(message, at, current) || current.outage() == Outage.ERROR;
        if (current.outage() == Outage.HANG) {
            return hang(request, at, path, message);
        }
        CallRecorder.Call call = recorder.record(at, path, message, caller(request),
                degraded ? CallOutcome.DEGRADED : CallOutcome.SIGNED);
        // Signing runs after the delay, on Reactor's timer thread rather than the event loop.
        return afterLatency(current, call, () -> degraded
                ? text(HttpStatus.BAD_GATEWAY, DEGRADED)
                : text(HttpStatus.OK, signer.sign(message)));
    }

    private Mono<ServerResponse> verify(ServerRequest request) {
        return withQuery(request, CallRecorder.VERIFY_PATH, this::verify);
    }

    private Mono<ServerResponse> verify(ServerRequest request, long at, String path, Query query) {
        String message = query.first("message");
        String signature = query.first("signature");
        Behaviour current = behaviour.current();
        Mono<ServerResponse> refused = checkAdmission(request, current, at, path, message, signature == null);
        if (refused != null) {
            return refused;
        }
        if (current.outage() == Outage.HANG) {
            return hang(request, at, path, message);
        }
        boolean valid = signer.verify(message, signature);
        CallRecorder.Call call = recorder.record(at, path, message, caller(request),
                valid ? CallOutcome.VALID_SIGNATURE : CallOutcome.INVALID_SIGNATURE);
        return afterLatency(current, call,
                () -> valid ? text(HttpStatus.OK, VALID) : text(HttpStatus.BAD_REQUEST, INVALID));
    }

    /** The answer after the call's latency; the call's completion is stamped once the answer is ready or on cancel. */
    private Mono<ServerResponse> afterLatency(Behaviour current, CallRecorder.Call call,
            Supplier<Mono<ServerResponse>> answer) {
        return Mono.delay(current.pickLatency(ThreadLocalRandom.current()))
                .then(Mono.defer(() -> {
                    Mono<ServerResponse> response = answer.get();
                    call.completed(clock.millis());
                    return response;
                }))
                .doOnCancel(() -> call.completed(clock.millis()));
    }

    /** Stamps the call's arrival, then hands it on with its decoded query. */
    private Mono<ServerResponse> withQuery(ServerRequest request, String path, CallHandler handler) {
        long at = clock.millis();
        return handler.handle(request, at, path, Query.parse(request.uri().getRawQuery()));
    }

    /**
     * The checks every crypto call passes in order: the key (401), the message and for verify the signature (400),
     * then the rate limit (429); only a call reaching the last one counts against the limit. Null when admitted.
     */
    private Mono<ServerResponse> checkAdmission(ServerRequest request, Behaviour current, long at, String path,
            String message, boolean signatureMissing) {
        if (!current.apiKey().equals(request.headers().firstHeader(HttpHeaders.AUTHORIZATION))) {
            return refuse(request, at, path, message, CallOutcome.UNAUTHORIZED, UNAUTHORIZED);
        }
        if (message == null) {
            return refuse(request, at, path, null, CallOutcome.BAD_REQUEST, MISSING_MESSAGE);
        }
        if (signatureMissing) {
            return refuse(request, at, path, message, CallOutcome.BAD_REQUEST, MISSING_SIGNATURE);
        }
        if (!limiter.tryAdmit(at)) {
            return refuse(request, at, path, message, CallOutcome.RATE_LIMITED, RATE_LIMITED);
        }
        return null;
    }

    private Mono<ServerResponse> refuse(ServerRequest request, long at, String path, String message,
            CallOutcome outcome, String body) {
        recorder.record(at, path, message, caller(request), outcome).completed(clock.millis());
        return text(HttpStatus.valueOf(outcome.status()), body);
    }

    /** Never answers; the call counts as completed when its client gives up and the server cancels it. */
    private Mono<ServerResponse> hang(ServerRequest request, long at, String path, String message) {
        CallRecorder.Call call = recorder.record(at, path, message, caller(request), CallOutcome.HUNG);
        return Mono.<ServerResponse>never().doOnCancel(() -> call.completed(clock.millis()));
    }

    private static String caller(ServerRequest request) {
        return request.headers().firstHeader(HttpHeaders.USER_AGENT);
    }

    private static Mono<ServerResponse> text(HttpStatus status, String body) {
        return ServerResponse.status(status).contentType(MediaType.TEXT_PLAIN).bodyValue(body);
    }

    @FunctionalInterface
    private interface CallHandler {
        Mono<ServerResponse> handle(ServerRequest request, long at, String path, Query query);
    }
}
