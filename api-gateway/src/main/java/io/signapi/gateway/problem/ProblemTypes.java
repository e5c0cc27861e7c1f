package io.signapi.gateway.problem;

import java.net.URI;

import org.springframework.http.HttpStatusCode;

/** The stable problem {@code type} URIs of the API (docs/ARCHITECTURE.md, "HTTP API"). */
public final class ProblemTypes {

    public static final URI INVALID_REQUEST = URI.create("/problems/invalid-request");
    public static final URI MESSAGE_TOO_LARGE = URI.create("/problems/message-too-large");
    public static final URI UNAVAILABLE = URI.create("/problems/unavailable");
    public static final URI NOT_FOUND = URI.create("/problems/not-found");

    private ProblemTypes() {
    }

    /** The type for a status when the error itself names none (framework errors). */
    public static URI forStatus(HttpStatusCode status) {
        return switch (status.value()) {
            case 404 -> NOT_FOUND;
            case 413, 414 -> MESSAGE_TOO_LARGE;
            default -> status.is4xxClientError() ? INVALID_REQUEST : UNAVAILABLE;
        };
    }
}
