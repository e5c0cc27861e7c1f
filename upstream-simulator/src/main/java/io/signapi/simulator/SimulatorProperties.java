package io.signapi.simulator;

import io.signapi.simulator.behaviour.Behaviour;
import io.signapi.simulator.behaviour.Outage;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Start-up settings of the simulator ({@code simulator.*}); the behaviour fields can be changed later through
 * {@code POST /__sim/config}.
 *
 * @param seed decides, with the message, whether a message's first call fails and for how long it stays degraded
 * @param failureRate share of messages whose first call fails (0–1)
 * @param degradedMinWindows shortest degraded period, in rate-limit windows
 * @param degradedMaxWindows longest degraded period, in rate-limit windows
 * @param latencyMin lower bound of the latency of an answered call
 * @param latencyMax upper bound of the latency of an answered call
 * @param slowShare share of answered calls that take {@code slow} instead
 * @param slow latency of a slow call
 * @param outage {@code none}, {@code error} (every sign call 502) or {@code hang} (calls never answer)
 * @param keyFile optional PEM file with a PKCS#8 RSA private key; a fresh key pair is generated when absent
 * @param callLogCapacity most recent calls kept in the call log
 */
@ConfigurationProperties("simulator")
public record SimulatorProperties(
        @DefaultValue("1") long seed,
        @DefaultValue("0.5") double failureRate,
        @DefaultValue("0.75") double degradedMinWindows,
        @DefaultValue("5") double degradedMaxWindows,
        @DefaultValue("60ms") Duration latencyMin,
        @DefaultValue("200ms") Duration latencyMax,
        @DefaultValue("0") double slowShare,
        @DefaultValue("5s") Duration slow,
        @DefaultValue("none") Outage outage,
        Path keyFile,
        @DefaultValue("10000") int callLogCapacity) {

    public SimulatorProperties {
        if (callLogCapacity < 1) {
            throw new IllegalArgumentException("simulator.call-log-capacity must be at least 1");
        }
    }

    /** The behaviour the simulator starts with, accepting {@code apiKey}; validated like a runtime change. */
    public Behaviour initialBehaviour(String apiKey) {
        return new Behaviour(failureRate, degradedMinWindows, degradedMaxWindows, latencyMin, latencyMax, slowShare,
                slow, outage, apiKey);
    }
}
