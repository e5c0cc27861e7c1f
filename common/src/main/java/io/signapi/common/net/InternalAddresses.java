package io.signapi.common.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one classifier of addresses a webhook must not reach: loopback, private, link-local, carrier-grade NAT
 * (100.64/10), multicast, unspecified, broadcast and documentation ranges, IPv6 unique-local, and any of these
 * behind an IPv4-mapped IPv6 address. The gateway applies it to literal hosts at request time, the notifier to
 * every resolved address at delivery.
 */
public final class InternalAddresses {

    private static final Pattern IPV4_LIKE = Pattern.compile("(?i)[0-9a-fx.]+");

    private InternalAddresses() {
    }

    /** True for an address a webhook delivery must not connect to. */
    public static boolean isInternal(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            Optional<Inet4Address> mapped = mappedIpv4(v6);
            if (mapped.isPresent()) {
                return isInternal(mapped.get());
            }
        }
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            int third = bytes[2] & 0xff;
            boolean carrierGradeNat = first == 100 && second >= 64 && second <= 127;
            boolean documentation = (first == 192 && second == 0 && third == 2)
                    || (first == 198 && second == 51 && third == 100)
                    || (first == 203 && second == 0 && third == 113);
            boolean reserved = first == 0 || first >= 240;
            return carrierGradeNat || documentation || reserved;
        }
        boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
        boolean documentation = (bytes[0] & 0xff) == 0x20 && (bytes[1] & 0xff) == 0x01
                && (bytes[2] & 0xff) == 0x0d && (bytes[3] & 0xff) == 0xb8;
        return uniqueLocal || documentation;
    }

    /**
     * True for a host name or literal that is internal without any lookup: {@code localhost} and its subdomains,
     * and literal addresses (bracketed IPv6, and every IPv4 form a resolver accepts: 127.1, 0x7f.0.0.1,
     * 2130706433). Other names are not resolved here, so they answer false.
     */
    public static boolean isInternalHost(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        return literal(name).map(InternalAddresses::isInternal).orElse(false);
    }

    /** The address a host string denotes literally, without any lookup; empty for a name. */
    public static Optional<InetAddress> literal(String host) {
        try {
            if (host.startsWith("[") && host.endsWith("]")) {
                return Optional.of(InetAddress.ofLiteral(host.substring(1, host.length() - 1)));
            }
            if (host.indexOf(':') >= 0) {
                return Optional.of(InetAddress.ofLiteral(host));
            }
            if (IPV4_LIKE.matcher(host).matches()) {
                return Optional.of(Inet4Address.ofPosixLiteral(host));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<Inet4Address> mappedIpv4(Inet6Address address) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return Optional.empty();
            }
        }
        if ((bytes[10] & 0xff) != 0xff || (bytes[11] & 0xff) != 0xff) {
            return Optional.empty();
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14],
                    bytes[15]}));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
