package io.signapi.notifier.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP receiver for webhook tests: records every request (header names lower-cased) and answers each path
 * with scripted replies in turn (then 200), including replies that never come.
 */
public final class HttpReceiver implements AutoCloseable {

    /** One request as received. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body, Instant at) {

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** One scripted answer. */
    public record Reply(int status, Map<String, String> headers, boolean hangs) {

        public static Reply status(int status) {
            return new Reply(status, Map.of(), false);
        }

        public static Reply hanging() {
            return new Reply(0, Map.of(), true);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, hangs);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    private volatile CountDownLatch release = new CountDownLatch(1);

    public HttpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The replies {@code path} gives, in order; later requests get 200. */
    public void script(String path, Reply... replies) {
        scripts.put(path, new ArrayDeque<>(List.of(replies)));
    }

    /** Every request received for {@code path}, in arrival order. */
    public List<Request> requests(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    public List<Request> all() {
        return new ArrayList<>(received);
    }

    /** Forgets requests and scripts, and lets hanging replies end. */
    public void reset() {
        received.clear();
        scripts.clear();
        CountDownLatch old = release;
        release = new CountDownLatch(1);
        old.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                    List.copyOf(values)));
            String path = exchange.getRequestURI().getRawPath();
            received.add(new Request(exchange.getRequestMethod(), path, headers, body, Instant.now()));
            Deque<Reply> script = scripts.get(path);
            Reply reply;
            synchronized (this) {
                reply = script == null || script.isEmpty() ? Reply.status(200) : script.poll();
            }
            if (reply.hangs()) {
                CountDownLatch latch = release;
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(reply.status(), -1);
        }
    }

    @Override
    public void close() {
        reset();
        server.stop(0);
        executor.shutdownNow();
    }
}
