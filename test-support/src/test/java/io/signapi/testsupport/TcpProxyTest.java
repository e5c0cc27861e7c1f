package io.signapi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private static ServerSocket echo;
    private static final AtomicInteger accepted = new AtomicInteger();

    private TcpProxy proxy;

    /** A tiny echo server: every byte a client sends comes straight back. */
    @BeforeAll
    static void startEchoServer() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket client = echo.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> {
                        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // The client went away.
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stopEchoServer() throws IOException {
        echo.close();
    }

    @BeforeEach
    void startProxy() {
        proxy = TcpProxy.to(echo.getLocalPort());
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void forwardsBytesBothWaysOnItsOwnLoopbackPort() throws IOException {
        assertThat(proxy.port()).isNotEqualTo(echo.getLocalPort());
        assertThat(proxy.address()).isEqualTo("127.0.0.1:" + proxy.port());
        try (Socket client = connect()) {
            send(client, "hello");
            assertThat(receive(client, 5)).isEqualTo("hello");
            send(client, "again");
            assertThat(receive(client, 5)).isEqualTo("again");
        }
        assertThat(proxy.state()).isEqualTo(TcpProxy.State.FORWARDING);
    }

    @Test
    void pauseHoldsOpenAndNewConnectionsUntilResume() throws IOException {
        try (Socket open = connect()) {
            send(open, "ping");
            assertThat(receive(open, 4)).isEqualTo("ping");
            int reached = accepted.get();

            proxy.pause();
            send(open, "held");
            Socket fresh = connect();
            send(fresh, "late");

            assertThat(proxy.state()).isEqualTo(TcpProxy.State.PAUSED);
            assertNothingArrives(open);
            assertNothingArrives(fresh);
            assertThat(accepted.get()).isEqualTo(reached);

            proxy.resume();
            assertThat(receive(open, 4)).isEqualTo("held");
            assertThat(receive(fresh, 4)).isEqualTo("late");
            fresh.close();
        }
    }

    @Test
    void cutDropsEveryConnectionAndRefusesNewOnesUntilResume() throws IOException {
        try (Socket open = connect()) {
            send(open, "ping");
            assertThat(receive(open, 4)).isEqualTo("ping");

            proxy.cut();

            assertThat(proxy.state()).isEqualTo(TcpProxy.State.CUT);
            open.setSoTimeout(5_000);
            assertThat(readOrReset(open)).isEqualTo(-1);
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        }

        proxy.resume();
        try (Socket again = connect()) {
            send(again, "back");
            assertThat(receive(again, 4)).isEqualTo("back");
        }
    }

    @Test
    void aClosedProxyRefusesConnectionsAndCannotBeResumed() {
        proxy.close();

        assertThat(proxy.state()).isEqualTo(TcpProxy.State.CLOSED);
        assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
        assertThatThrownBy(proxy::resume).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void asAnExtensionEachTestStartsForwarding() throws IOException {
        proxy.cut();

        proxy.beforeEach(null);

        try (Socket client = connect()) {
            send(client, "fresh");
            assertThat(receive(client, 5)).isEqualTo("fresh");
        }
    }

    private Socket connect() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String receive(Socket socket, int length) throws IOException {
        socket.setSoTimeout(5_000);
        byte[] bytes = socket.getInputStream().readNBytes(length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Nothing comes back within a quarter second: the bytes are held. */
    private static void assertNothingArrives(Socket socket) throws IOException {
        socket.setSoTimeout(250);
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }

    /** -1 for a connection closed by the proxy, whether it shows as end of stream or as a reset. */
    private static int readOrReset(Socket socket) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> {
            try {
                return socket.getInputStream().read();
            } catch (IOException reset) {
                return -1;
            }
        }, value -> value == -1);
    }
}
