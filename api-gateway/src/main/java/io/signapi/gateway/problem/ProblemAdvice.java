package io.signapi.gateway.problem;

import java.net.URI;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import reactor.core.publisher.Mono;

/** Turns every error into an RFC 9457 problem with one of the API's stable types; never a stack trace. */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
    private static final URI ABOUT_BLANK = URI.create("about:blank");

    @ExceptionHandler(InvalidRequestException.class)
    Mono<ResponseEntity<Object>> invalid(InvalidRequestException ex, ServerWebExchange exchange) {
        ProblemDetail problem = problem(ex.status(), ProblemTypes.INVALID_REQUEST, "Invalid request", ex.getMessage());
        problem.setProperty("errors", ex.errors());
        return handleExceptionInternal(ex, problem, new HttpHeaders(), ex.status(), exchange);
    }

    @ExceptionHandler(MessageTooLargeException.class)
    Mono<ResponseEntity<Object>> tooLarge(MessageTooLargeException ex, ServerWebExchange exchange) {
        ProblemDetail problem = problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.MESSAGE_TOO_LARGE, "Message too large",
                ex.getMessage());
        problem.setProperty("errors",
                List.of(new FieldProblem("message", "must be at most " + ex.limitBytes() + " bytes of UTF-8")));
        return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatus.CONTENT_TOO_LARGE, exchange);
    }

    @ExceptionHandler(UnavailableException.class)
    Mono<ResponseEntity<Object>> unavailable(UnavailableException ex, ServerWebExchange exchange) {
        return unavailable(ex, ex.getMessage(), ex.retryAfterSeconds(), exchange);
    }

    @ExceptionHandler(NotFoundException.class)
    Mono<ResponseEntity<Object>> notFound(NotFoundException ex, ServerWebExchange exchange) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", ex.getMessage());
        return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatus.NOT_FOUND, exchange);
    }

    /** Anything unexpected: the request was not made durable, so the client may retry. */
    @ExceptionHandler(Exception.class)
    Mono<ResponseEntity<Object>> unexpected(Exception ex, ServerWebExchange exchange) {
        log.error("Unexpected error on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        return unavailable(ex, "The request could not be handled now; it was not accepted.", 1, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleMissingRequestValueException(MissingRequestValueException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.INVALID_REQUEST,
                "Invalid request", ex.getName() + " is required");
        problem.setProperty("errors", List.of(new FieldProblem(ex.getName(), "is required")));
        return handleExceptionInternal(ex, problem, headers, HttpStatus.UNPROCESSABLE_CONTENT, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        String field = ex.getMethodParameter() != null && ex.getMethodParameter().getParameterName() != null
                && !ex.getMethodParameter().hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class)
                ? ex.getMethodParameter().getParameterName()
                : "body";
        // The decoder's own message may quote the input; keep the detail generic.
        String message = "body".equals(field) ? "must be a JSON object with a string message" : "is not valid";
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, ProblemTypes.INVALID_REQUEST, "Invalid request",
                field + " " + message);
        problem.setProperty("errors", List.of(new FieldProblem(field, message)));
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, exchange);
    }

    /** Framework errors come with the generic {@code about:blank} type; give them the API's type for their status. */
    @Override
    protected Mono<ResponseEntity<Object>> createResponseEntity(Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (body instanceof ProblemDetail problem && (problem.getType() == null
                || ABOUT_BLANK.equals(problem.getType()))) {
            problem.setType(ProblemTypes.forStatus(status));
        }
        return super.createResponseEntity(body, headers, status, exchange);
    }

    private Mono<ResponseEntity<Object>> unavailable(Exception ex, String detail, long retryAfterSeconds,
            ServerWebExchange exchange) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.UNAVAILABLE, "Service unavailable",
                detail);
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return handleExceptionInternal(ex, problem, headers, HttpStatus.SERVICE_UNAVAILABLE, exchange);
    }

    private static ProblemDetail problem(HttpStatusCode status, URI type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }
}
