package io.signapi.gateway.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.micrometer.core.instrument.MeterRegistry;
import io.signapi.gateway.support.GatewayIntegrationTest;

/** The metrics that show the gateway nearing its bound: in flight, queueing before the gateway, event-loop tasks. */
class LoadMetricsIntegrationTest extends GatewayIntegrationTest {

    @Autowired
    MeterRegistry meters;

    @Test
    void measuresQueueingInFlightAndEventLoopTasks() {
        long queuedBefore = meters.get("gateway.request.queueing").timer().count();

        web.get().uri(b -> b.path("/crypto/sign").queryParam("message", "{m}").build(freshMessage()))
                .exchange().expectStatus().isOk();

        assertThat(meters.get("gateway.request.queueing").timer().count()).isGreaterThan(queuedBefore);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.get("gateway.requests.in.flight").gauge().value() == 0);
        assertThat(meters.find("reactor.netty.eventloop.pending.tasks").gauges()).isNotEmpty()
                .allSatisfy(gauge -> assertThat(gauge.getId().getTag("name")).isNotBlank());
        web.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("gateway_request_queueing_seconds_bucket", "gateway_requests_in_flight",
                                "gateway_requests_shed_total", "reactor_netty_eventloop_pending_tasks{"));
    }
}
