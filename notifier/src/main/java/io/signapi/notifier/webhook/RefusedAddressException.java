package io.signapi.notifier.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A webhook host that resolved to an address the shared classifier calls internal; nothing was sent. */
final class RefusedAddressException extends UnknownHostException {

    RefusedAddressException(String host, InetAddress address) {
        super(host + " resolves to " + address.getHostAddress()
                + ", an internal address (loopback, private, link-local or similar); webhook.allow-private is false");
    }
}
