package io.signapi.common.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.kafka.support.serializer.JacksonJsonDeserializer;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON configuration for events, shared by every process: absent fields omitted, ISO-8601 instants. */
public final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventJson() {
    }

    /** The shared mapper; JsonMapper is immutable and thread-safe. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** A Kafka value serializer that writes the event JSON and no Java type headers. */
    public static JacksonJsonSerializer<Object> serializer() {
        return new JacksonJsonSerializer<>(MAPPER).noTypeInfo();
    }

    /** A Kafka value deserializer for one event type that ignores any type headers. */
    public static <T> JacksonJsonDeserializer<T> deserializer(Class<T> type) {
        return new JacksonJsonDeserializer<T>(type, MAPPER, false).ignoreTypeHeaders();
    }
}
