package io.signapi.simulator.admin;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import io.signapi.simulator.behaviour.InvalidChangeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The admin endpoints under {@code /__sim}: no key needed, meant for loopback use by tests and benchmarks. */
public class AdminRoutes {

    private static final String CONFIG_TITLE = "Invalid simulator config";
    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() { };

    private final SimulatorAdmin admin;
    private final JsonMapper json;

    public AdminRoutes(SimulatorAdmin admin, JsonMapper json) {
        this.admin = admin;
        this.json = json;
    }

    public RouterFunction<ServerResponse> routes() {
        return route(GET("/__sim/stats"), request -> ok(admin.stats()))
                .andRoute(GET("/__sim/calls"), request -> ok(admin.calls()))
                .andRoute(GET("/__sim/plan"), this::plan)
                .andRoute(POST("/__sim/reset"), request -> {
                    admin.reset();
                    return ServerResponse.noContent().build();
                })
                .andRoute(GET("/__sim/config"), request -> ok(admin.config()))
                .andRoute(POST("/__sim/config"), this::configure);
    }

    private Mono<ServerResponse> plan(ServerRequest request) {
        String message = request.queryParam("message").filter(value -> !value.isEmpty()).orElse(null);
        if (message == null) {
            return invalid("Invalid simulator plan query", "message", "message must be given");
        }
        return ok(admin.plan(message));
    }

    private Mono<ServerResponse> configure(ServerRequest request) {
        // Read as text so a curl -d without a JSON content type works too.
        return request.bodyToMono(String.class)
                .defaultIfEmpty("{}")
                .flatMap(body -> {
                    Map<String, Object> changes;
                    try {
                        changes = body.isBlank() ? null : json.readValue(body, JSON_OBJECT);
                    } catch (JacksonException e) {
                        return invalid(CONFIG_TITLE, "body", "body must be a JSON object");
                    }
                    try {
                        return ok(admin.configure(changes == null ? Map.of() : changes));
                    } catch (InvalidChangeException e) {
                        return invalid(CONFIG_TITLE, e.field(), e.getMessage());
                    }
                });
    }

    private static Mono<ServerResponse> ok(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    private static Mono<ServerResponse> invalid(String title, String field, String message) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "/problems/invalid-request");
        problem.put("title", title);
        problem.put("status", HttpStatus.BAD_REQUEST.value());
        problem.put("detail", message);
        problem.put("errors", List.of(Map.of("field", field, "message", message)));
        return ServerResponse.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).bodyValue(problem);
    }
}
