package io.signapi.gateway.verify;

import java.util.ArrayList;
import java.util.List;

import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/** {@code GET /crypto/verify?message=&signature=}: {@code {"valid": true|false}}. */
@RestController
class VerifyController {

    private final VerifyService verifier;

    VerifyController(VerifyService verifier) {
        this.verifier = verifier;
    }

    @GetMapping("/crypto/verify")
    Mono<Verdict> verify(ServerWebExchange exchange) {
        MultiValueMap<String, String> query = exchange.getRequest().getQueryParams();
        List<String> repeated = new ArrayList<>();
        for (String name : List.of("message", "signature")) {
            List<String> values = query.get(name);
            if (values != null && values.size() > 1) {
                repeated.add(name);
            }
        }
        return Mono.defer(() -> verifier.verify(query.getFirst("message"), query.getFirst("signature"), repeated))
                .map(Verdict::new);
    }

    /** The verify body. */
    record Verdict(boolean valid) {
    }
}
