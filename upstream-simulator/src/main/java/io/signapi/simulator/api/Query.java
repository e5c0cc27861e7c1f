package io.signapi.simulator.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A query string decoded the way most web servers do it, with {@code +} as a space (WebFlux keeps {@code +} as is);
 * clients that percent-encode every reserved character get the same message from either reading.
 */
record Query(Map<String, String> firstValues) {

    /** Parses a raw query; malformed percent escapes never get here, the server answers them 400 before routing. */
    static Query parse(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(name, value);
            }
        }
        return new Query(values);
    }

    /** The first value of a parameter, or null when it is absent or empty. */
    String first(String name) {
        String value = firstValues.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
