package io.signapi.gateway.warmup;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.signapi.common.MessageHash;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.signing.SignatureCache;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Warms the gateway's hot paths before it reports ready: it sends itself {@code gateway.warm-up.requests} requests
 * (for at most {@code gateway.warm-up.max-duration}) on loopback: cache hits, requests that end in a 202 and requests
 * with input faults, marked by {@link WarmUpFilter} so that they reach no upstream, publish nothing, write no Redis
 * key or table row and count in no request metric.
 * As the readiness contributor {@code warmUp} it is DOWN until the warm-up has finished.
 */
@Component("warmUp")
public class WarmUp implements HealthIndicator, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private static final String PATH = "/crypto/sign";
    /** Messages held in this process's cache for the warm-up's hits; random, so no client can ask for one. */
    private static final int CACHED_MESSAGES = 64;
    private static final String STAND_IN_SIGNATURE = "w".repeat(343) + "=";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final SignatureCache cache;
    private final WarmUpFilter filter;
    private final int requests;
    private final Duration maxDuration;
    private final int concurrency;
    private final String prefix = "gateway warm-up " + UUID.randomUUID();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private volatile int port = -1;
    private volatile boolean finished;
    private volatile boolean stopping;

    WarmUp(SignatureCache cache, WarmUpFilter filter, GatewayProperties gateway) {
        this.cache = cache;
        this.filter = filter;
        this.requests = gateway.warmUp().requests();
        this.maxDuration = gateway.warmUp().maxDuration();
        this.concurrency = gateway.warmUp().concurrency();
        this.finished = requests == 0;
        if (!finished) {
            // From before the server starts: no ordinary request meets a cold gateway.
            filter.hold();
        }
    }

    /** Whether the warm-up is over (or was off). */
    public boolean finished() {
        return finished;
    }

    /** The warm-up's answers so far, by HTTP status (0: no answer). */
    public Map<Integer, Long> statuses() {
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, n) -> counts.put(status, n.sum()));
        return counts;
    }

    @Override
    public Health health() {
        if (finished) {
            return Health.up().build();
        }
        return Health.down().withDetail("reason", "warming up").build();
    }

    @EventListener
    void onServerStarted(ReactiveWebServerInitializedEvent event) {
        // Only the main server: a separate management server would be another namespace.
        if (event.getApplicationContext().getServerNamespace() == null) {
            port = event.getWebServer().getPort();
        }
    }

    /** After start-up is complete (Kafka metadata and the Redis connection included), on a thread of its own. */
    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (finished) {
            return;
        }
        String token = filter.open();
        Thread.ofPlatform().name("gateway-warm-up").daemon().start(() -> runAndFinish(token));
    }

    private void runAndFinish(String token) {
        long started = System.nanoTime();
        List<String> cached = new ArrayList<>();
        for (int i = 0; i < CACHED_MESSAGES; i++) {
            cached.add(prefix + " cached " + i);
        }
        cached.forEach(message -> cache.holdForWarmUp(MessageHash.of(message), STAND_IN_SIGNATURE));
        ConnectionProvider connections = ConnectionProvider.builder("gateway-warm-up")
                .maxConnections(concurrency).pendingAcquireMaxCount(-1).build();
        try {
            if (port <= 0) {
                log.warn("warm-up skipped: the server's port is unknown");
                return;
            }
            HttpClient client = HttpClient.create(connections)
                    .baseUrl("http://127.0.0.1:" + port)
                    .headers(headers -> headers.set(WarmUpFilter.HEADER, token))
                    .responseTimeout(REQUEST_TIMEOUT);
            long end = started + maxDuration.toNanos();
            Flux.range(0, requests)
                    .takeWhile(n -> !stopping && System.nanoTime() - end < 0)
                    .flatMap(n -> next(client, cached, n), concurrency)
                    .then()
                    .block(maxDuration.plus(REQUEST_TIMEOUT.multipliedBy(2)));
        } catch (RuntimeException e) {
            log.warn("warm-up ended early: {}", e.toString());
        } finally {
            connections.dispose();
            cached.forEach(message -> cache.forget(MessageHash.of(message)));
            filter.close();
            finished = true;
            log.info("warm-up finished in {} ms: {} requests by status {}",
                    Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    statuses().values().stream().mapToLong(Long::longValue).sum(), statuses());
        }
    }

    /** One request of the mix; its status is counted, a failure counts as 0 and never ends the warm-up. */
    private Mono<Integer> next(HttpClient client, List<String> cached, int n) {
        String hit = cached.get(n % cached.size());
        String fresh = prefix + " " + n;
        Mono<Integer> status = switch (n % 12) {
            case 0, 4 -> get(client, "message=" + encode(hit), null);
            case 1 -> get(client, "message=" + encode(hit), "application/json");
            case 2, 5, 10 -> get(client, "message=" + encode(fresh) + "&email=warm-up%40example.com", null);
            case 3 -> post(client, "{\"message\":\"" + fresh + "\",\"webhook\":\"https://example.com/warm-up\"}");
            case 6 -> get(client, "email=warm-up%40example.com", null);
            case 7 -> get(client, "message=" + encode(fresh) + "&email=not-an-address", null);
            case 8 -> get(client, "message=" + "x".repeat(4097), null);
            case 9 -> post(client, "[\"not an object\"]");
            default -> client.headers(headers -> headers.set("Idempotency-Key", "k".repeat(129)))
                    .get().uri(PATH + "?message=" + encode(fresh))
                    .responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
        };
        return status.onErrorReturn(0).doOnNext(code -> statuses.computeIfAbsent(code, c -> new LongAdder())
                .increment());
    }

    private static Mono<Integer> get(HttpClient client, String query, String accept) {
        HttpClient withAccept = accept == null ? client
                : client.headers(headers -> headers.set(HttpHeaderNames.ACCEPT, accept));
        return withAccept.get().uri(PATH + "?" + query)
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
    }

    private static Mono<Integer> post(HttpClient client, String json) {
        return client.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                .post().uri(PATH)
                .send(ByteBufFlux.fromString(Mono.just(json)))
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void destroy() {
        stopping = true;
    }
}
