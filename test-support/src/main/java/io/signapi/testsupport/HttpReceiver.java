package io.signapi.testsupport;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local HTTP server that records every request and answers from a script, for webhook tests: the scripted
 * answers are used in order, then the default (200 with no body) answers.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HttpReceiver hook = HttpReceiver.start();     // reset before each test, stopped after the class
 *
 * hook.respond(500, 500, 200);                                // two failures, then success
 * hook.respondWith(429, Map.of("Retry-After", "1"));
 * hook.respondAfter(Duration.ofSeconds(3), 200);              // a slow receiver
 * hook.hang();                                                // never answers (until reset or close)
 * ... hook.url("/hooks/a") ...
 * List<HttpReceiver.Request> got = hook.awaitRequests(3, Duration.ofSeconds(10));
 * }</pre>
 */
public final class HttpReceiver implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

    /**
     * One request as it arrived.
     *
     * @param headers names in lower case, each with its values in order
     */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body,
            Instant at) {

        /** The first value of a header, by any case of its name; null when absent. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One scripted answer; a null status never answers. */
    private record Answer(Integer status, Map<String, String> headers, String body, Duration delay) {
    }

    private static final Answer DEFAULT = new Answer(200, Map.of(), "", Duration.ZERO);

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("http-receiver-delays").factory());
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<HttpExchange> held = new CopyOnWriteArrayList<>();
    private Answer fallback = DEFAULT;

    private HttpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on a loopback port", e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A running receiver on a free loopback port. */
    public static HttpReceiver start() {
        return new HttpReceiver();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:<port><path>}, e.g. {@code url("/hooks/a")}. */
    public String url(String path) {
        return url() + path;
    }

    /** Answers the next requests with these statuses, one each, in order. */
    public synchronized HttpReceiver respond(int... statuses) {
        for (int status : statuses) {
            script.add(new Answer(status, Map.of(), "", Duration.ZERO));
        }
        return this;
    }

    /** Answers the next request with this status and these headers. */
    public synchronized HttpReceiver respondWith(int status, Map<String, String> headers) {
        script.add(new Answer(status, Map.copyOf(headers), "", Duration.ZERO));
        return this;
    }

    /** Answers the next request with this status, headers and body. */
    public synchronized HttpReceiver respondWith(int status, Map<String, String> headers, String body) {
        script.add(new Answer(status, Map.copyOf(headers), body, Duration.ZERO));
        return this;
    }

    /** Answers the next request with this status only after {@code delay}. */
    public synchronized HttpReceiver respondAfter(Duration delay, int status) {
        script.add(new Answer(status, Map.of(), "", delay));
        return this;
    }

    /** Never answers the next request: the caller's own timeout must end it. */
    public synchronized HttpReceiver hang() {
        script.add(new Answer(null, Map.of(), "", Duration.ZERO));
        return this;
    }

    /** The answer once the script has run out (200 unless set). */
    public synchronized HttpReceiver byDefault(int status) {
        fallback = new Answer(status, Map.of(), "", Duration.ZERO);
        return this;
    }

    /** Every request so far, in order of arrival. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Waits up to {@code timeout} until at least {@code count} requests have arrived, and answers them all. */
    public List<Request> awaitRequests(int count, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> requests.size() >= count);
        return requests();
    }

    /** Forgets the requests and the script, answers and drops held requests, and goes back to answering 200. */
    public synchronized void reset() {
        requests.clear();
        script.clear();
        fallback = DEFAULT;
        held.forEach(HttpReceiver::abandon);
        held.clear();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        held.forEach(HttpReceiver::abandon);
        server.stop(0);
        delays.shutdownNow();
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant at = Instant.now();
        byte[] body = exchange.getRequestBody().readAllBytes();
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), headers(exchange.getRequestHeaders()), body, at));
        Answer answer = next();
        if (answer.status() == null) {
            held.add(exchange);
        } else if (answer.delay().isZero()) {
            answer(exchange, answer);
        } else {
            delays.schedule(() -> handlers.execute(() -> answerQuietly(exchange, answer)),
                    answer.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized Answer next() {
        Answer scripted = script.poll();
        return scripted != null ? scripted : fallback;
    }

    private static Map<String, List<String>> headers(Headers headers) {
        Map<String, List<String>> copy = new TreeMap<>();
        headers.forEach((name, values) -> copy.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return copy;
    }

    private static void answer(HttpExchange exchange, Answer answer) throws IOException {
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private static void answerQuietly(HttpExchange exchange, Answer answer) {
        try {
            answer(exchange, answer);
        } catch (IOException gone) {
            // The caller gave up before the delay was over.
        }
    }

    private static void abandon(HttpExchange exchange) {
        exchange.close();
    }

    /** The requests' methods and paths, e.g. {@code [POST /hooks/a]}, for failure messages. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        requests.forEach(r -> lines.add(r.method() + " " + r.path()));
        return "HttpReceiver" + lines;
    }
}
