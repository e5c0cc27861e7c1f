package io.signapi.gateway.signing;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Request-time check of a webhook URL: absolute http(s) with a host, and, unless private targets are allowed, not
 * a literal loopback, private, link-local or otherwise internal address. Names are not resolved here; the
 * notifier vets resolved addresses at delivery.
 */
final class WebhookTargets {

    static final int MAX_LENGTH = 2048;
    private static final Pattern IPV4_LIKE = Pattern.compile("(?i)[0-9a-fx.]+");

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
        if (!allowPrivate && isInternal(uri.getHost())) {
            return Optional.of("must not point to a loopback, private or link-local address");
        }
        return Optional.empty();
    }

    private static boolean isInternal(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        return literal(name).map(WebhookTargets::isInternal).orElse(false);
    }

    private static Optional<InetAddress> literal(String host) {
        try {
            if (host.startsWith("[") && host.endsWith("]")) {
                return Optional.of(InetAddress.ofLiteral(host.substring(1, host.length() - 1)));
            }
            if (IPV4_LIKE.matcher(host).matches()) {
                // Also the forms a resolver would accept as an address: 127.1, 0x7f.0.0.1, 2130706433.
                return Optional.of(Inet4Address.ofPosixLiteral(host));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            boolean carrierGradeNat = first == 100 && second >= 64 && second <= 127;
            return first == 0 || carrierGradeNat || first == 255;
        }
        if (address instanceof Inet6Address) {
            boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
            return uniqueLocal;
        }
        return false;
    }
}
