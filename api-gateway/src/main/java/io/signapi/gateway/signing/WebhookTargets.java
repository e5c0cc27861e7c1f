package io.signapi.gateway.signing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

import io.signapi.common.net.InternalAddresses;

/**
 * Request-time check of a webhook URL: absolute http(s) with a host, and, unless private targets are allowed, not
 * a literal address that {@link InternalAddresses} calls internal. Names are not resolved here; the
 * notifier vets resolved addresses at delivery.
 */
final class WebhookTargets {

    static final int MAX_LENGTH = 2048;

    private WebhookTargets() {
    }

    /** Why the URL is refused, or empty when it is acceptable. */
    static Optional<String> problem(String url, boolean allowPrivate) {
        if (url.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("must be an absolute http or https URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || uri.getHost().isEmpty()) {
            return Optional.of("must be an absolute http or https URL");
        }
        if (!allowPrivate && InternalAddresses.isInternalHost(uri.getHost())) {
            return Optional.of("must not point to a loopback, private or link-local address");
        }
        return Optional.empty();
    }
}
