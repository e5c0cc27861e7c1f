package io.signapi.systemtests;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A careful client of the gateway: every request carries an {@code Idempotency-Key}, and a request that got no
 * answer (refused, reset, timed out) or a {@code 503} is sent again with the same key until it gets a {@code 200} or
 * a {@code 202}, the way the README tells clients to. Every attempt is recorded with its latency.
 */
final class SignClient implements AutoCloseable {

    /** How long a client waits for an answer before it counts the attempt as unanswered and retries. */
    static final Duration NO_ANSWER = Duration.ofSeconds(5);
    /**
     * How long a client keeps retrying one request before giving up: longer than a killed gateway takes to be back
     * on a busy 2-core host (start-up plus warm-up, during which it answers 503 at once; up to 95 s seen).
     */
    static final Duration GIVE_UP = Duration.ofSeconds(240);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

    private final HttpClient http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    SignClient() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1)
                .executor(threads).build();
    }

    /** What to send. */
    record Sign(int gatewayPort, String message, String idempotencyKey, String email, String webhook) {
    }

    /**
     * One attempt: {@code status} -1 when it got no answer.
     *
     * @param requestId the {@code X-Request-Id} answered
     */
    record Attempt(Instant sentAt, Duration took, int status, String requestId, String body, String retryAfter,
            String error) {

        boolean answered() {
            return status > 0;
        }
    }

    /** A request and every attempt it took. */
    record Outcome(Sign sign, List<Attempt> attempts) {

        Attempt last() {
            return attempts.getLast();
        }

        int status() {
            return last().status();
        }

        String requestId() {
            return last().requestId();
        }

        /** The longest any answer took. */
        Duration slowestAnswer() {
            return attempts.stream().filter(Attempt::answered).map(Attempt::took).max(Duration::compareTo)
                    .orElse(Duration.ZERO);
        }

        long unanswered() {
            return attempts.stream().filter(a -> !a.answered()).count();
        }

        long unavailable() {
            return attempts.stream().filter(a -> a.status() == 503).count();
        }

        /** The request id of any attempt answered 202, if one was. */
        Optional<String> acceptedId() {
            return attempts.stream().filter(a -> a.status() == 202).map(Attempt::requestId).findFirst();
        }
    }

    CompletableFuture<Outcome> send(Sign sign) {
        return CompletableFuture.supplyAsync(() -> sendNow(sign), threads);
    }

    List<CompletableFuture<Outcome>> sendAll(List<Sign> signs) {
        return signs.stream().map(this::send).toList();
    }

    Outcome sendNow(Sign sign) {
        List<Attempt> attempts = new ArrayList<>();
        Instant giveUp = Instant.now().plus(GIVE_UP);
        while (true) {
            Attempt attempt = attempt(sign);
            attempts.add(attempt);
            if ((attempt.status() == 200 || attempt.status() == 202) || Instant.now().isAfter(giveUp)
                    || (attempt.answered() && attempt.status() != 503)) {
                return new Outcome(sign, List.copyOf(attempts));
            }
            Duration pause = RETRY_PAUSE;
            if (attempt.retryAfter() != null) {
                try {
                    pause = Duration.ofSeconds(Long.parseLong(attempt.retryAfter().trim()));
                } catch (NumberFormatException notSeconds) {
                    // keep the default pause
                }
            }
            LockSupport.parkNanos(pause.toNanos());
        }
    }

    private Attempt attempt(Sign sign) {
        StringBuilder query = new StringBuilder("message=").append(encode(sign.message()));
        if (sign.email() != null) {
            query.append("&email=").append(encode(sign.email()));
        }
        if (sign.webhook() != null) {
            query.append("&webhook=").append(encode(sign.webhook()));
        }
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sign.gatewayPort() + "/crypto/sign?" + query))
                .timeout(NO_ANSWER).header("Idempotency-Key", sign.idempotencyKey()).GET().build();
        Instant sentAt = Instant.now();
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Attempt(sentAt, took, response.statusCode(),
                    response.headers().firstValue("X-Request-Id").orElse(null), response.body(),
                    response.headers().firstValue("Retry-After").orElse(null), null);
        } catch (IOException e) {
            return new Attempt(sentAt, Duration.ofNanos(System.nanoTime() - start), -1, null, null, null,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close();
        threads.shutdownNow();
    }
}
