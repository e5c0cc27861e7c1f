package io.signapi.gateway.signing;

import org.jspecify.annotations.Nullable;

/** The JSON body of {@code POST /crypto/sign}, for messages too long to put in a URL. */
public record SignBody(@Nullable String message, @Nullable String email, @Nullable String webhook) {
}
