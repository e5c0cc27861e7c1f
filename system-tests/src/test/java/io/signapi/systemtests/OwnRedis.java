package io.signapi.systemtests;

import io.signapi.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A redis-server of the tests' own, on a free port with its own directory and no persistence, so a scenario can stop
 * and start it without touching the machine's Redis. A restart comes back empty on the same port.
 */
final class OwnRedis implements AutoCloseable {

    private final int port;
    private final Path dir;
    private Process process;

    private OwnRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    static OwnRedis start(Path dir) {
        OwnRedis redis = new OwnRedis(FreePorts.next(), dir);
        redis.start();
        return redis;
    }

    int port() {
        return port;
    }

    synchronized void start() {
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(List.of("redis-server", "--bind", "127.0.0.1",
                    "--port", Integer.toString(port),
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--logfile", dir.resolve("redis.log").toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (apt install redis-server)", e);
        }
        Awaitility.await("redis-server on port " + port).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(this::answers);
    }

    /** SIGTERM, and the wait until it has exited and its port is closed. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        Awaitility.await("port " + port + " closed").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50)).until(() -> !answers());
    }

    boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
