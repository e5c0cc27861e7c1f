package io.signapi.gateway.problem;

import java.util.List;

import org.springframework.http.HttpStatus;

/** Bad input, answered with a {@code /problems/invalid-request} problem listing every field at fault. */
public class InvalidRequestException extends RuntimeException {

    private final HttpStatus status;
    private final List<FieldProblem> errors;

    public InvalidRequestException(HttpStatus status, List<FieldProblem> errors) {
        super(summary(errors), null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** A 422: the request is well-formed but its values are not acceptable. */
    public static InvalidRequestException unprocessable(List<FieldProblem> errors) {
        return new InvalidRequestException(HttpStatus.UNPROCESSABLE_CONTENT, errors);
    }

    /** A 422 for one field. */
    public static InvalidRequestException unprocessable(String field, String message) {
        return unprocessable(List.of(new FieldProblem(field, message)));
    }

    /** A 400 for one field: the request cannot be understood at all. */
    public static InvalidRequestException badRequest(String field, String message) {
        return new InvalidRequestException(HttpStatus.BAD_REQUEST, List.of(new FieldProblem(field, message)));
    }

    public HttpStatus status() {
        return status;
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    private static String summary(List<FieldProblem> errors) {
        return errors.stream().map(e -> e.field() + " " + e.message()).reduce((a, b) -> a + "; " + b).orElse("invalid request");
    }
}
