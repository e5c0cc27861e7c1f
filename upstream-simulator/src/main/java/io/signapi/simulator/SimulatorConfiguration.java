package io.signapi.simulator;

import io.signapi.simulator.admin.AdminRoutes;
import io.signapi.simulator.admin.CallRecorder;
import io.signapi.simulator.admin.SimulatorAdmin;
import io.signapi.simulator.api.CryptoRoutes;
import io.signapi.simulator.behaviour.BehaviourControl;
import io.signapi.simulator.behaviour.InvalidChangeException;
import io.signapi.simulator.degradation.Degradation;
import io.signapi.simulator.degradation.DegradationModel;
import io.signapi.simulator.ratelimit.SlidingWindowLimiter;
import io.signapi.simulator.signing.MessageSigner;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/** The simulator's beans, shared by the standalone application and test-support's in-process launcher. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({SimulatorProperties.class, SimulatedUpstreamProperties.class})
public class SimulatorConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SimulatorConfiguration.class);

    @Bean
    MessageSigner messageSigner(SimulatorProperties settings) {
        if (settings.keyFile() != null) {
            log.info("Signing with the RSA key from {}", settings.keyFile());
            return MessageSigner.fromPemFile(settings.keyFile());
        }
        log.info("Signing with a fresh RSA-2048 key pair");
        return MessageSigner.withNewKey();
    }

    @Bean
    BehaviourControl behaviourControl(SimulatorProperties settings, SimulatedUpstreamProperties upstream) {
        try {
            return new BehaviourControl(settings.initialBehaviour(upstream.apiKey()));
        } catch (InvalidChangeException e) {
            throw new IllegalArgumentException("Invalid simulator.* setting: " + e.getMessage(), e);
        }
    }

    @Bean
    SlidingWindowLimiter slidingWindowLimiter(SimulatedUpstreamProperties upstream) {
        log.info("Rate limit: {} calls in any {}", upstream.rateLimit().limit(), upstream.rateLimit().window());
        return new SlidingWindowLimiter(upstream.rateLimit().limit(), upstream.rateLimit().window());
    }

    @Bean
    Degradation degradation(SimulatorProperties settings, SimulatedUpstreamProperties upstream) {
        return new Degradation(new DegradationModel(settings.seed()), upstream.rateLimit().window());
    }

    @Bean
    CallRecorder callRecorder(SimulatorProperties settings) {
        return new CallRecorder(settings.callLogCapacity());
    }

    @Bean
    SimulatorAdmin simulatorAdmin(CallRecorder recorder, SlidingWindowLimiter limiter, Degradation degradation,
            BehaviourControl behaviour, SimulatorProperties settings) {
        return new SimulatorAdmin(recorder, limiter, degradation, behaviour, settings.seed());
    }

    @Bean
    RouterFunction<ServerResponse> cryptoRoutes(SlidingWindowLimiter limiter, BehaviourControl behaviour,
            Degradation degradation, MessageSigner signer, CallRecorder recorder) {
        return new CryptoRoutes(limiter, behaviour, degradation, signer, recorder, Clock.systemUTC()).routes();
    }

    @Bean
    RouterFunction<ServerResponse> adminRoutes(SimulatorAdmin admin, JsonMapper json) {
        return new AdminRoutes(admin, json).routes();
    }
}
