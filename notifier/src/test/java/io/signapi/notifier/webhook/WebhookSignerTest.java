package io.signapi.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;

import io.signapi.common.config.WebhookProperties;
import io.signapi.common.upstream.UpstreamProperties;

class WebhookSignerTest {

    private static final String OTHER = "whsec_cHJldmlvdXMtd2ViaG9vay1zZWNyZXQtZm9yLXRlc3Q=";

    private static WebhookProperties webhook(String secret, String... previous) {
        return new WebhookProperties(false, secret, List.of(previous));
    }

    private static UpstreamProperties upstream(String url) {
        return new UpstreamProperties(URI.create(url), null, null, null);
    }

    @Test
    void signsWithTheSecretAndEachPreviousOneSoEitherVerifies() throws Exception {
        WebhookSigner signer = new WebhookSigner(webhook(WebhookProperties.LOCAL_SECRET, OTHER),
                UpstreamProperties.defaults());
        long now = System.currentTimeMillis() / 1000;

        String signature = signer.sign("msg_1", now, "{\"a\":1}");

        assertThat(signature.split(" ")).hasSize(2);
        Map<String, List<String>> headers = Map.of("webhook-id", List.of("msg_1"),
                "webhook-timestamp", List.of(Long.toString(now)), "webhook-signature", List.of(signature));
        new Webhook(WebhookProperties.LOCAL_SECRET).verify("{\"a\":1}", headers);
        new Webhook(OTHER).verify("{\"a\":1}", headers);
    }

    @Test
    void refusesAMissingOrMalformedSecret() {
        UpstreamProperties local = UpstreamProperties.defaults();
        assertThatThrownBy(() -> new WebhookSigner(webhook(""), local)).hasMessageContaining("webhook.secret is missing");
        assertThatThrownBy(() -> new WebhookSigner(webhook("local-dev-secret"), local))
                .hasMessageContaining("must start with whsec_");
        assertThatThrownBy(() -> new WebhookSigner(webhook("whsec_***"), local))
                .hasMessageContaining("valid base64");
        // base64 of 16 bytes: too short.
        assertThatThrownBy(() -> new WebhookSigner(webhook("whsec_MDEyMzQ1Njc4OWFiY2RlZg=="), local))
                .hasMessageContaining("16 bytes").hasMessageContaining("at least 24");
        assertThatThrownBy(() -> new WebhookSigner(webhook(WebhookProperties.LOCAL_SECRET, "nope"), local))
                .hasMessageContaining("webhook.previous-secrets[0]");
    }

    @Test
    void refusesTheLocalSecretAgainstARealUpstream() {
        assertThatThrownBy(() -> new WebhookSigner(webhook(WebhookProperties.LOCAL_SECRET),
                upstream("https://hiring.api.synthesia.io")))
                .hasMessageContaining("documented local secret").hasMessageContaining("WEBHOOK_SECRET");
        assertThatCode(() -> new WebhookSigner(webhook(OTHER), upstream("https://hiring.api.synthesia.io")))
                .doesNotThrowAnyException();
        assertThatCode(() -> new WebhookSigner(webhook(WebhookProperties.LOCAL_SECRET),
                upstream("http://localhost:5005"))).doesNotThrowAnyException();
    }
}
