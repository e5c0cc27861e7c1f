package io.signapi.simulator.degradation;

import io.signapi.simulator.behaviour.Behaviour;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides, as a pure function of (seed, message), whether a message's first call fails and how long it then stays
 * degraded, so runs are reproducible under any concurrency.
 */
public final class DegradationModel {

    private static final double UNIT = 0x1.0p-53;

    private final ThreadLocal<Mac> mac;

    public DegradationModel(long seed) {
        SecretKeySpec key = new SecretKeySpec(ByteBuffer.allocate(Long.BYTES).putLong(seed).array(), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac instance = Mac.getInstance("HmacSHA256");
                instance.init(key);
                return instance;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /** The draws for one message: HMAC-SHA256(seed, message) cut into independent parts. */
    public Draws draws(String message) {
        ByteBuffer digest = ByteBuffer.wrap(mac.get().doFinal(message.getBytes(StandardCharsets.UTF_8)));
        double failure = (digest.getLong() >>> 11) * UNIT;
        double period = (digest.getLong() >>> 11) * UNIT;
        return new Draws(new MessageKey(digest.getLong(), digest.getLong()), failure, period);
    }

    /**
     * What the model drew for a message.
     *
     * @param key a 128-bit identity of the message, so state never holds message text
     * @param failureDraw uniform in [0, 1): the first call fails when it is below the failure rate
     * @param periodDraw uniform in [0, 1): the position of the degraded period between its bounds
     */
    public record Draws(MessageKey key, double failureDraw, double periodDraw) {

        public boolean firstCallFails(Behaviour behaviour) {
            return failureDraw < behaviour.failureRate();
        }

        /** How long the message stays degraded from its first call, if that call fails. */
        public Duration degradedPeriod(Behaviour behaviour, Duration window) {
            double windows = behaviour.degradedMinWindows()
                    + periodDraw * (behaviour.degradedMaxWindows() - behaviour.degradedMinWindows());
            return Duration.ofMillis(Math.round(window.toMillis() * windows));
        }
    }

    /** A message's identity in the simulator's state. */
    public record MessageKey(long high, long low) {
    }
}
