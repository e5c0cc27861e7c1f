package io.signapi.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import io.signapi.common.event.SignRequested;
import io.signapi.testsupport.TcpProxy;
import io.signapi.worker.support.WorkerIntegrationTest;

/** MySQL unreachable for a while: intake and calls stop, readiness goes DOWN, and both resume with nothing lost. */
class DatabaseOutageIntegrationTest extends WorkerIntegrationTest {

    @RegisterExtension
    static final TcpProxy mysql = TcpProxy.to(3306);

    private ConfigurableApplicationContext behindProxy;

    @AfterEach
    void stopTheInstanceBehindTheProxy() {
        mysql.resume();
        if (behindProxy != null) {
            behindProxy.close();
        }
        resumeSharedWorker();
    }

    @Test
    void resumesAfterMysqlWasUnreachableAndLosesNothing() {
        pauseSharedWorker();
        behindProxy = startWorker("behind-proxy", Map.of(
                "spring.r2dbc.url", "r2dbc:mysql://" + mysql.address() + "/signapi_it_worker"));
        WebClient health = WebClient.create("http://127.0.0.1:"
                + behindProxy.getEnvironment().getProperty("local.server.port"));
        List<SignRequested> before = IntStream.range(0, 5).mapToObj(i -> request(freshMessage())).toList();
        before.forEach(this::publish);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == 5);

        mysql.cut();
        List<SignRequested> during = IntStream.range(0, 10).mapToObj(i -> request(freshMessage())).toList();
        during.forEach(this::publish);
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness(health) == 503);
        // Nothing reaches MySQL meanwhile, and no call is made for a request it has not recorded.
        await().during(WINDOW).atMost(WINDOW.multipliedBy(2)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request") == 5);
        long callsWhileDown = signCalls().size();

        mysql.resume();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).until(() ->
                count("SELECT COUNT(*) AS n FROM sign_request WHERE status = 'SIGNED'") == 15);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(during).size() >= 10);

        assertThat(callsWhileDown).isEqualTo(5);
        Map<String, Long> eventsPerRequest = resultsOf(during).stream()
                .collect(Collectors.groupingBy(e -> e.get("requestId").asString(), Collectors.counting()));
        assertThat(eventsPerRequest).hasSize(10).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness(health) == 200);
    }

    private static int readiness(WebClient health) {
        return health.get().uri("/actuator/health/readiness").exchangeToMono(response ->
                response.releaseBody().thenReturn(response.statusCode().value())).block(Duration.ofSeconds(10));
    }
}
