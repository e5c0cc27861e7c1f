package io.signapi.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.signapi.common.event.EventJson;
import io.signapi.gateway.support.GatewayIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Random query strings and bodies (unicode, control characters, huge values, repeated parameters, broken JSON)
 * against the running gateway: never a 5xx, and every 4xx is a problem with one of the API's types.
 */
class FuzzIntegrationTest extends GatewayIntegrationTest {

    private static final Set<String> TYPES = Set.of("/problems/invalid-request", "/problems/message-too-large",
            "/problems/unavailable", "/problems/not-found");
    private static final String[] NAMES = {"message", "message", "message", "email", "webhook", "signature", "x", ""};
    // Keeps each request line under the configured 64 KB limit, beyond which Netty answers before any handler.
    private static final int MAX_QUERY_LENGTH = 60_000;
    private static final String RESERVED = "&=+%;#?/ \\\"'<>";

    private final Random random = new Random(20_261_129);

    @LocalServerPort
    int port;

    @AfterEach
    void leaveTheGatewaySigningDirectly() {
        // Valid random requests may have drained the budget; later tests in this context expect direct calls.
        awaitDirectSigningAgain();
    }

    @Test
    void neverAnswers5xxToRandomQueryStrings() {
        WebTestClient client = web.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(1024 * 1024)).build();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String path = random.nextInt(10) == 0 ? "/crypto/verify" : "/crypto/sign";
            URI uri = URI.create("http://127.0.0.1:" + port + path + "?" + randomQuery());
            WebTestClient.RequestHeadersSpec<?> request = client.get().uri(uri);
            if (random.nextInt(4) == 0) {
                request = request.header("Idempotency-Key", randomAscii(1 + random.nextInt(200)));
            }
            try {
                check(request.exchange().expectBody(byte[].class).returnResult(), uri.toString(), failures);
            } catch (IllegalStateException e) {
                failures.add("no answer (" + e.getMessage() + ") for " + uri.toString().length() + " chars: "
                        + uri.toString().substring(0, Math.min(300, uri.toString().length())));
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void neverAnswers5xxToRandomBodies() {
        WebTestClient client = web.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(1024 * 1024)).build();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[] body = randomBody();
            MediaType type = switch (random.nextInt(12)) {
                case 0 -> MediaType.TEXT_PLAIN;
                case 1 -> MediaType.APPLICATION_FORM_URLENCODED;
                default -> MediaType.APPLICATION_JSON;
            };
            EntityExchangeResult<byte[]> result = client.post().uri("/crypto/sign").contentType(type).bodyValue(body)
                    .exchange().expectBody(byte[].class).returnResult();
            check(result, type + " " + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8),
                    failures);
        }
        assertThat(failures).isEmpty();
    }

    private static void check(EntityExchangeResult<byte[]> result, String input, List<String> failures) {
        int status = result.getStatus().value();
        if (status == 503 && input.contains("/crypto/verify?") && result.getResponseHeaders().containsHeader("Retry-After")) {
            // A valid verify with no budget slot free: the documented 503 + Retry-After, not a fault.
            return;
        }
        if (status >= 500) {
            failures.add(status + " for " + input);
            return;
        }
        if (status >= 400) {
            MediaType type = result.getResponseHeaders().getContentType();
            if (type == null || !type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)) {
                failures.add(status + " without problem+json for " + input);
                return;
            }
            JsonNode problem = EventJson.mapper().readTree(result.getResponseBody());
            if (!TYPES.contains(problem.path("type").asString("")) || problem.path("status").asInt() != status) {
                failures.add(status + " with problem " + problem + " for " + input);
            }
        }
    }

    private String randomQuery() {
        StringBuilder query = new StringBuilder();
        int params = random.nextInt(5);
        for (int p = 0; p < params; p++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            String pair = encode(name) + (random.nextInt(10) == 0 ? "" : "=" + encodedValue());
            if (query.length() + pair.length() + 1 > MAX_QUERY_LENGTH) {
                break;
            }
            if (!query.isEmpty()) {
                query.append(random.nextInt(15) == 0 ? "&&" : "&");
            }
            query.append(pair);
        }
        return query.toString();
    }

    private String encodedValue() {
        return switch (random.nextInt(12)) {
            // Escapes a URI allows but that are not UTF-8, or decode to NUL.
            case 0 -> "%FF%FE%00" + encode(randomText(5));
            case 1 -> "%C3%28" + encode(randomText(3));
            default -> encode(randomText(randomLength()));
        };
    }

    private int randomLength() {
        return switch (random.nextInt(20)) {
            case 0 -> 4090 + random.nextInt(10);
            case 1 -> 1360 + random.nextInt(10);
            case 2 -> 5000 + random.nextInt(15_000);
            default -> random.nextInt(40);
        };
    }

    /** A mix of ASCII, controls, reserved URL characters, BMP, astral and lone surrogates. */
    private String randomText(int length) {
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            switch (random.nextInt(8)) {
                case 0 -> text.append((char) random.nextInt(0x20));
                case 1 -> text.append(RESERVED.charAt(random.nextInt(RESERVED.length())));
                case 2 -> text.append((char) (0xA0 + random.nextInt(0xD000)));
                case 3 -> text.appendCodePoint(0x1F300 + random.nextInt(0x300));
                case 4 -> text.append((char) (0xD800 + random.nextInt(0x800)));
                case 5 -> text.append(random.nextBoolean() ? "a@example.com" : "http://10.0.0.1/h");
                default -> text.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return text.toString();
    }

    /** Visible ASCII with inner spaces (a header value may not start or end with one). */
    private String randomAscii(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            boolean edge = i == 0 || i == length - 1;
            text.append(edge ? (char) (0x21 + random.nextInt(0x5E)) : (char) (0x20 + random.nextInt(0x5F)));
        }
        return text.toString();
    }

    private byte[] randomBody() {
        return switch (random.nextInt(10)) {
            case 0 -> new byte[0];
            case 1 -> randomBytes(random.nextInt(300));
            case 2 -> ("{\"message\":\"" + "x".repeat(70_000 + random.nextInt(10_000)) + "\"}").getBytes();
            case 3 -> "[".repeat(2000 + random.nextInt(3000)).getBytes();
            case 4 -> ("{\"message\":" + jsonScalar() + ",\"email\":" + jsonScalar() + "}").getBytes();
            case 5 -> truncated(jsonObject()).getBytes(StandardCharsets.UTF_8);
            case 6 -> jsonScalar().getBytes(StandardCharsets.UTF_8);
            default -> jsonObject().getBytes(StandardCharsets.UTF_8);
        };
    }

    private String jsonObject() {
        StringBuilder json = new StringBuilder("{");
        int members = random.nextInt(4);
        for (int m = 0; m < members; m++) {
            if (m > 0) {
                json.append(',');
            }
            json.append(quote(NAMES[random.nextInt(NAMES.length)])).append(':').append(jsonScalar());
        }
        return json.append('}').toString();
    }

    private String jsonScalar() {
        return switch (random.nextInt(8)) {
            case 0 -> "null";
            case 1 -> Integer.toString(random.nextInt());
            case 2 -> "[" + quote(randomText(3)) + "]";
            case 3 -> "{\"a\":1}";
            case 4 -> "true";
            default -> quote(randomText(randomLength() % 5000));
        };
    }

    private String truncated(String json) {
        return json.isEmpty() ? json : json.substring(0, random.nextInt(json.length()));
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
