package io.signapi.gateway.problem;

/** An unknown resource, answered 404 {@code /problems/not-found}. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String detail) {
        super(detail, null, false, false);
    }
}
