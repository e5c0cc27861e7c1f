package io.signapi.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.signapi.common.MessageHash;
import io.signapi.common.event.SignCompleted.Status;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final UUID REQUEST_ID = UUID.fromString("5b0c7a8e-2f4d-4c1a-9e3b-7d6f1a2b3c4d");
    private static final Instant ACCEPTED = Instant.parse("2026-01-02T03:04:05.123Z");
    private static final String SIGNATURE = "c2ln".repeat(86);

    @Test
    void writesSignRequestedWithTypeVersionAndWithoutAbsentFields() {
        SignRequested event = new SignRequested(REQUEST_ID, "hello & =+ é", null, null, null, ACCEPTED, null);

        String json = EventJson.mapper().writeValueAsString(event);

        assertThat(json).isEqualTo("{\"type\":\"SignRequested\",\"version\":1,"
                + "\"requestId\":\"5b0c7a8e-2f4d-4c1a-9e3b-7d6f1a2b3c4d\",\"message\":\"hello & =+ é\","
                + "\"acceptedAt\":\"2026-01-02T03:04:05.123Z\"}");
        assertThat(EventJson.mapper().readValue(json, SignRequested.class)).isEqualTo(event);
    }

    @Test
    void writesEveryOptionalFieldOfSignRequestedWhenPresent() {
        SignRequested event = new SignRequested(REQUEST_ID, "m", "a@example.com", "https://example.com/hook", "key-1",
                ACCEPTED, Instant.parse("2026-01-02T03:04:06Z"));

        String json = EventJson.mapper().writeValueAsString(event);

        assertThat(json).isEqualTo("{\"type\":\"SignRequested\",\"version\":1,"
                + "\"requestId\":\"5b0c7a8e-2f4d-4c1a-9e3b-7d6f1a2b3c4d\",\"message\":\"m\","
                + "\"email\":\"a@example.com\",\"webhook\":\"https://example.com/hook\",\"idempotencyKey\":\"key-1\","
                + "\"acceptedAt\":\"2026-01-02T03:04:05.123Z\",\"directFailedAt\":\"2026-01-02T03:04:06Z\"}");
        assertThat(EventJson.mapper().readValue(json, SignRequested.class)).isEqualTo(event);
        assertThat(event.messageHash()).isEqualTo(MessageHash.of("m"));
    }

    @Test
    void writesSignatureObtained() {
        SignatureObtained event = new SignatureObtained(MessageHash.of("m"), "m", SIGNATURE, ACCEPTED,
                "sign-worker/w1");

        String json = EventJson.mapper().writeValueAsString(event);

        assertThat(json).isEqualTo("{\"type\":\"SignatureObtained\",\"version\":1,\"messageHash\":\""
                + MessageHash.of("m") + "\",\"message\":\"m\",\"signature\":\"" + SIGNATURE
                + "\",\"obtainedAt\":\"2026-01-02T03:04:05.123Z\",\"obtainedBy\":\"sign-worker/w1\"}");
        assertThat(EventJson.mapper().readValue(json, SignatureObtained.class)).isEqualTo(event);
    }

    @Test
    void writesSignCompletedForBothOutcomes() {
        SignCompleted signed = new SignCompleted(REQUEST_ID, Status.SIGNED, "m", SIGNATURE, "a@example.com", null, 3,
                ACCEPTED, null);
        SignCompleted failed = new SignCompleted(REQUEST_ID, Status.FAILED, "m", null, null, "https://example.com/h",
                7, ACCEPTED, SignCompleted.Reason.EXPIRED);

        String signedJson = EventJson.mapper().writeValueAsString(signed);
        String failedJson = EventJson.mapper().writeValueAsString(failed);

        assertThat(signedJson).isEqualTo("{\"type\":\"SignCompleted\",\"version\":1,"
                + "\"requestId\":\"5b0c7a8e-2f4d-4c1a-9e3b-7d6f1a2b3c4d\",\"status\":\"SIGNED\",\"message\":\"m\","
                + "\"signature\":\"" + SIGNATURE + "\",\"email\":\"a@example.com\",\"attempts\":3,"
                + "\"completedAt\":\"2026-01-02T03:04:05.123Z\"}");
        assertThat(failedJson).isEqualTo("{\"type\":\"SignCompleted\",\"version\":1,"
                + "\"requestId\":\"5b0c7a8e-2f4d-4c1a-9e3b-7d6f1a2b3c4d\",\"status\":\"FAILED\",\"message\":\"m\","
                + "\"webhook\":\"https://example.com/h\",\"attempts\":7,"
                + "\"completedAt\":\"2026-01-02T03:04:05.123Z\",\"reason\":\"EXPIRED\"}");
        assertThat(EventJson.mapper().readValue(signedJson, SignCompleted.class)).isEqualTo(signed);
        assertThat(EventJson.mapper().readValue(failedJson, SignCompleted.class)).isEqualTo(failed);
    }

    @Test
    void readsEventsWithUnknownFieldsAndInAnyOrder() {
        String json = "{\"future\":{\"x\":1},\"acceptedAt\":\"2026-01-02T03:04:05.123Z\",\"message\":\"m\","
                + "\"requestId\":\"5b0c7a8e-2f4d-4c1a-9e3b-7d6f1a2b3c4d\",\"version\":1,\"type\":\"SignRequested\"}";

        assertThat(EventJson.mapper().readValue(json, SignRequested.class))
                .isEqualTo(new SignRequested(REQUEST_ID, "m", null, null, null, ACCEPTED, null));
    }

    @Test
    void kafkaSerdeWritesNoTypeHeadersAndReadsWithoutThem() {
        SignCompleted event = new SignCompleted(REQUEST_ID, Status.SIGNED, "m", SIGNATURE, null, null, 1, ACCEPTED, null);
        RecordHeaders headers = new RecordHeaders();

        byte[] bytes;
        try (var serializer = EventJson.serializer()) {
            bytes = serializer.serialize(Topics.SIGN_RESULTS, headers, event);
        }
        SignCompleted read;
        try (var deserializer = EventJson.deserializer(SignCompleted.class)) {
            read = deserializer.deserialize(Topics.SIGN_RESULTS, new RecordHeaders(), bytes);
        }

        assertThat(headers.toArray()).isEmpty();
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(EventJson.mapper().writeValueAsString(event));
        assertThat(read).isEqualTo(event);
    }

    @Test
    void namesDeadLetterTopics() {
        assertThat(Topics.dlt(Topics.SIGN_REQUESTS)).isEqualTo("sign.requests.dlt");
        assertThat(Topics.dlt(Topics.SIGN_RESULTS)).isEqualTo("sign.results.dlt");
    }
}
