package io.signapi.notifier.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.signapi.common.config.WebhookProperties;
import io.signapi.common.event.EventJson;
import io.signapi.notifier.config.NotifierProperties;
import io.signapi.notifier.delivery.Channel;
import io.signapi.notifier.delivery.Delivery;
import io.signapi.notifier.delivery.Outcome;
import io.signapi.notifier.delivery.Sender;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Delivers results by Standard Webhooks {@code POST}: {@code webhook-id} (stable per request, the same on every
 * retry), {@code webhook-timestamp}, {@code webhook-signature} and {@code X-Request-Id}. The host is resolved and
 * vetted by {@link VettingResolverGroup}; redirects are not followed; each delivery is bounded by
 * {@code notifier.webhook-timeout}. 2xx is delivered; 4xx other than 408 and 429 is permanent; the rest is retried,
 * no sooner than a {@code Retry-After}.
 */
@Component
class WebhookSender implements Sender, DisposableBean {

    private final WebhookSigner signer;
    private final Clock clock;
    private final Duration timeout;
    private final VettingResolverGroup resolver;
    private final ConnectionProvider connections;
    private final HttpClient client;

    WebhookSender(WebhookSigner signer, Clock clock, NotifierProperties notifier, WebhookProperties webhook) {
        this.signer = signer;
        this.clock = clock;
        this.timeout = notifier.webhookTimeout();
        this.resolver = new VettingResolverGroup(webhook.allowPrivate());
        this.connections = ConnectionProvider.builder("webhooks")
                .maxConnections(notifier.concurrency())
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.client = HttpClient.create(connections)
                .resolver(resolver)
                .followRedirect(false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE))
                .responseTimeout(timeout)
                .headers(headers -> headers.set(HttpHeaderNames.USER_AGENT, "sign-api-notifier/"
                        + notifier.instanceId()));
    }

    @Override
    public Channel channel() {
        return Channel.WEBHOOK;
    }

    @Override
    public Mono<Outcome> send(Delivery delivery) {
        URI target;
        try {
            target = target(delivery.webhook());
        } catch (URISyntaxException e) {
            return Mono.just(new Outcome.Failed("not an absolute http or https URL: " + e.getReason()));
        }
        String body = EventJson.mapper().writeValueAsString(WebhookPayload.of(delivery));
        String id = "msg_" + delivery.requestId();
        long timestamp = clock.instant().getEpochSecond();
        String signature = signer.sign(id, timestamp, body);
        return client
                .headers(headers -> headers
                        .set("webhook-id", id)
                        .set("webhook-timestamp", Long.toString(timestamp))
                        .set("webhook-signature", signature)
                        .set("X-Request-Id", delivery.requestId().toString())
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                .post()
                .uri(target)
                .send(ByteBufMono.fromString(Mono.just(body)))
                .responseSingle((response, content) -> content.then(
                        Mono.fromSupplier(() -> outcome(response.status().code(), response.responseHeaders()))))
                .timeout(timeout)
                .onErrorResume(e -> Mono.just(failure(e)));
    }

    /** An absolute http(s) URL with a host; anything else (CR/LF included) is refused before any connection. */
    static URI target(@Nullable String url) throws URISyntaxException {
        if (url == null || url.isBlank()) {
            throw new URISyntaxException(String.valueOf(url), "missing");
        }
        if (url.chars().anyMatch(Character::isISOControl)) {
            throw new URISyntaxException(url.replaceAll("\\p{Cntrl}", "?"), "contains control characters");
        }
        URI uri = new URI(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new URISyntaxException(url, "must be an absolute http or https URL with a host");
        }
        return uri;
    }

    Outcome outcome(int status, HttpHeaders headers) {
        if (status >= 200 && status < 300) {
            return Outcome.delivered();
        }
        if (status >= 300 && status < 400) {
            String location = headers.get(HttpHeaderNames.LOCATION);
            return new Outcome.Retry("HTTP " + status + " redirect" + (location == null ? "" : " to " + location)
                    + " not followed");
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new Outcome.Failed("HTTP " + status);
        }
        return new Outcome.Retry("HTTP " + status, retryAfter(headers.get(HttpHeaderNames.RETRY_AFTER)));
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; null when absent or unreadable. */
    @Nullable Duration retryAfter(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(clock.instant(), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private Outcome failure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedAddressException refused) {
                return new Outcome.Refused(refused.getMessage());
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        if (error instanceof TimeoutException) {
            return new Outcome.Retry("no answer within " + timeout);
        }
        return new Outcome.Retry(error.toString());
    }

    @Override
    public void destroy() {
        connections.dispose();
        resolver.close();
    }
}
