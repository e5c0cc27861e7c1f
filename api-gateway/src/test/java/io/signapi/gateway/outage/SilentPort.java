package io.signapi.gateway.outage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port that takes connections (the kernel completes the handshake) but never answers, to stand for an
 * infrastructure service that hangs rather than refuses.
 */
final class SilentPort implements AutoCloseable {

    private final ServerSocket socket;

    private SilentPort(ServerSocket socket) {
        this.socket = socket;
    }

    static SilentPort open() {
        try {
            return new SilentPort(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
