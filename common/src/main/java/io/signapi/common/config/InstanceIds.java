package io.signapi.common.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Default instance ids ({@code <app>.instance-id}): the host name and a random suffix, unique per process. */
public final class InstanceIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private InstanceIds() {
    }

    /** The given id, or a fresh {@code <host>-<6 hex digits>} when it is null or blank. */
    public static String orDefault(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        return host() + "-" + HexFormat.of().formatHex(suffix);
    }

    private static String host() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            String shortName = dot > 0 ? name.substring(0, dot) : name;
            return shortName.length() > 40 ? shortName.substring(0, 40) : shortName;
        } catch (UnknownHostException e) {
            return "host";
        }
    }
}
