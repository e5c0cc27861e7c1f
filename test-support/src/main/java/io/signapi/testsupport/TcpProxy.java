package io.signapi.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A TCP proxy on a free loopback port in front of a real service (MariaDB, Redis), for "the service is unreachable
 * for a while" without touching the machine's service: {@link #pause()} stops forwarding (connections hang),
 * {@link #cut()} closes every connection and refuses new ones, {@link #resume()} forwards again.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TcpProxy mysql = TcpProxy.to(3306);   // resumed before each test, closed after the class
 *
 * @DynamicPropertySource
 * static void throughTheProxy(DynamicPropertyRegistry registry) {
 *     registry.add("spring.r2dbc.url", () -> "r2dbc:mysql://127.0.0.1:" + mysql.port() + "/signapi_it_worker");
 * }
 * }</pre>
 *
 * Plain blocking sockets on virtual threads; one thread per direction of each connection.
 */
public final class TcpProxy implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

    /** What the proxy does with connections now. */
    public enum State { FORWARDING, PAUSED, CUT, CLOSED }

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition forwarding = lock.newCondition();
    private State state = State.FORWARDING;
    private ServerSocket listener;
    private Thread acceptor;

    private TcpProxy(InetSocketAddress target) {
        this.target = target;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        startAccepting(listener);
    }

    /** A proxy to {@code host:port}, forwarding from the moment it returns. */
    public static TcpProxy to(String host, int port) {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    /** A proxy to {@code 127.0.0.1:port}. */
    public static TcpProxy to(int port) {
        return to("127.0.0.1", port);
    }

    /** The loopback port to connect to instead of the target's. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Stops forwarding in both directions: open connections and new ones stay open but carry nothing. */
    public void pause() {
        change(() -> {
            if (state == State.FORWARDING) {
                state = State.PAUSED;
            }
        });
    }

    /** Closes every connection and the listening socket: new connections are refused until {@link #resume()}. */
    public void cut() {
        change(() -> dropEverything(State.CUT));
    }

    /** Forwards again: held bytes flow on after a pause; after a cut, new connections are accepted on the same port. */
    public void resume() {
        change(() -> {
            if (state == State.CUT) {
                listener = listen(port);
                startAccepting(listener);
            }
            state = State.FORWARDING;
        });
    }

    /** Closes the listener and every connection; the proxy cannot be resumed. */
    @Override
    public void close() {
        lock.lock();
        try {
            dropEverything(State.CLOSED);
        } finally {
            lock.unlock();
        }
    }

    /** Runs a state change of an open proxy under the lock, then wakes every waiting pump. */
    private void change(Runnable change) {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the proxy to " + target + " is closed");
            }
            change.run();
            forwarding.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void dropEverything(State next) {
        state = next;
        stopListening();
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
        forwarding.signalAll();
    }

    /** As an extension: each test starts with a forwarding proxy. */
    @Override
    public void beforeEach(ExtensionContext context) {
        resume();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    /** Closes the listening socket and waits for the acceptor to leave: only then is the port really closed. */
    private void stopListening() {
        closeQuietly(listener);
        listener = null;
        if (acceptor != null) {
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            acceptor = null;
        }
    }

    private void startAccepting(ServerSocket server) {
        acceptor = Thread.ofVirtual().name("tcp-proxy-accept-" + port).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Thread.ofVirtual().name("tcp-proxy-connect-" + port).start(() -> connect(client));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private void connect(Socket client) {
        sockets.add(client);
        // A connection that arrives while paused hangs, like one to an unreachable host.
        if (!awaitForwarding()) {
            closeQuietly(client);
            return;
        }
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
            upstream.connect(target, 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        if (!client.isClosed()) {
            Thread.ofVirtual().name("tcp-proxy-up-" + port).start(() -> pump(client, upstream));
            Thread.ofVirtual().name("tcp-proxy-down-" + port).start(() -> pump(upstream, client));
        } else {
            closeQuietly(upstream);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (!awaitForwarding()) {
                    break;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (SocketException closed) {
            // One side went away, or the proxy was cut: close the other side too.
        } catch (IOException e) {
            // Same as above.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    /** Waits while paused; false once cut or closed (the caller drops the connection). */
    private boolean awaitForwarding() {
        lock.lock();
        try {
            while (state == State.PAUSED) {
                forwarding.awaitUninterruptibly();
            }
            return state == State.FORWARDING;
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is best effort: the socket may already be gone.
        }
    }
}
