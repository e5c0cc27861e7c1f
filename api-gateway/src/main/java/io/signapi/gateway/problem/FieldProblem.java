package io.signapi.gateway.problem;

/**
 * One entry of a problem's {@code errors} extension: which input was wrong and why.
 *
 * @param field   the query parameter, JSON member or header at fault
 * @param message what is wrong with it, without echoing the value
 */
public record FieldProblem(String field, String message) {
}
