package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signapi.simulator.admin.CallRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

/** The in-process launcher: its own config only, its own Netty resources, settings that win. */
class SimulatorServerTest {

    private static final String KEY = "local-dev-key";

    @Test
    void startsOnARandomPortAndSignsThroughTheLauncher() {
        try (SimulatorServer simulator = SimulatorServer.start(Map.of("simulator.failure-rate", 0))) {
            assertThat(simulator.port()).isPositive().isNotEqualTo(5005);
            assertThat(simulator.baseUrl()).isEqualTo("http://127.0.0.1:" + simulator.port());

            ResponseEntity<String> response = signNow(simulator, "through the launcher");

            assertThat(response.getStatusCode().value()).isEqualTo(200);
            assertThat(response.getBody()).hasSize(344);
            assertThat(simulator.stats().successes()).isEqualTo(1);
            assertThat(simulator.calls()).extracting(CallRecord::message).containsExactly("through the launcher");
        }
    }

    @Test
    void readsOnlyItsOwnConfigAndNoOtherAutoConfiguration() {
        // The test classpath has an application.yml with another key and the actuator starter.
        try (SimulatorServer simulator = SimulatorServer.start(Map.of("simulator.failure-rate", 0))) {
            WebClient client = WebClient.create(simulator.baseUrl());

            assertThat(status(client, "/crypto/sign?message=hi", KEY)).isEqualTo(200);
            assertThat(status(client, "/crypto/sign?message=hi", "key-from-application-yml")).isEqualTo(401);
            assertThat(status(client, "/actuator/health", KEY)).isEqualTo(404);
            assertThat(simulator.config()).containsEntry("latencyMinMillis", 60L).containsEntry("limit", 10);
        }
    }

    @Test
    void givenPropertiesWinOverTheBundledConfig() {
        try (SimulatorServer simulator = SimulatorServer.start(Map.of(
                "upstream.api-key", "test-key",
                "upstream.rate-limit.limit", 3,
                "upstream.rate-limit.window", "2s",
                "simulator.outage", "error"))) {
            WebClient client = WebClient.create(simulator.baseUrl());

            assertThat(status(client, "/crypto/sign?message=hi", KEY)).isEqualTo(401);
            assertThat(status(client, "/crypto/sign?message=hi", "test-key")).isEqualTo(502);
            assertThat(simulator.config())
                    .containsEntry("limit", 3)
                    .containsEntry("windowMillis", 2_000L)
                    .containsEntry("outage", "error");
        }
    }

    @Test
    void refusesToStartWithAnInvalidSettingNamingIt() {
        assertThatThrownBy(() -> SimulatorServer.start(Map.of("simulator.failure-rate", 2)))
                .rootCause()
                .hasMessageContaining("failureRate must be between 0 and 1");
    }

    @Test
    void configureResetAndRestoreWorkWithoutHttp() {
        try (SimulatorServer simulator = SimulatorServer.start(Map.of("simulator.latency-max", "100ms"))) {
                        assertThat(simulator.configure(Map.of("failureRate", 1, "latencyMinMillis", 0, "latencyMaxMillis", 0)))
                    .containsEntry("failureRate", 1.0);
            assertThat(signNow(simulator, "configured").getStatusCode().value()).isEqualTo(502);

            simulator.reset();
            assertThat(simulator.stats().calls()).isZero();
            assertThat(simulator.calls()).isEmpty();
            assertThat(simulator.config()).containsEntry("failureRate", 1.0);

            assertThat(simulator.restoreConfig())
                    .containsEntry("failureRate", 0.5)
                    .containsEntry("latencyMaxMillis", 100L);
        }
    }

    @Test
    void closingLeavesTheHostsNettyResourcesUsable() {
        WebClient hostClient = WebClient.create();
        try (SimulatorServer first = SimulatorServer.start()) {
            assertThat(status(hostClient, first.baseUrl() + "/", KEY)).isEqualTo(200);
        }
        try (SimulatorServer second = SimulatorServer.start()) {
            assertThat(status(hostClient, second.baseUrl() + "/", KEY)).isEqualTo(200);
        }
    }

    @Test
    void signsWithTheKeyFromTheKeyFileAcrossRestarts(@TempDir Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        Path keyFile = Files.writeString(dir.resolve("key.pem"), pem(pair.getPrivate()));
        Map<String, Object> settings = Map.of("simulator.key-file", keyFile.toString(), "simulator.failure-rate", 0,
                "simulator.latency-min", "0ms", "simulator.latency-max", "0ms");

        String first;
        try (SimulatorServer simulator = SimulatorServer.start(settings)) {
            first = signNow(simulator, "same key").getBody();
        }
        try (SimulatorServer simulator = SimulatorServer.start(settings)) {
            assertThat(signNow(simulator, "same key").getBody()).isEqualTo(first);
        }
        assertThat(verifies(pair.getPublic(), "same key", first)).isTrue();
    }

    private static ResponseEntity<String> signNow(SimulatorServer simulator, String message) {
        return WebClient.create(simulator.baseUrl()).get()
                .uri(uri -> uri.path("/crypto/sign").queryParam("message", "{message}").build(message))
                .header("Authorization", KEY)
                .exchangeToMono(response -> response.toEntity(String.class))
                .block(Duration.ofSeconds(10));
    }

    private static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static boolean verifies(PublicKey key, String message, String signature) throws GeneralSecurityException {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(key);
        rsa.update(message.getBytes(StandardCharsets.UTF_8));
        return rsa.verify(Base64.getUrlDecoder().decode(signature));
    }

    private static int status(WebClient client, String uri, String key) {
        return client.get().uri(uri).header("Authorization", key)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .block(Duration.ofSeconds(10));
    }
}
