package io.signapi.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ReactiveValueOperations;

import io.signapi.common.RedisKeys;
import io.signapi.common.bounded.BoundedCalls;
import io.signapi.common.cache.SignatureCacheCommands;
import io.signapi.common.config.CacheProperties;
import io.signapi.gateway.config.GatewayProperties;
import io.signapi.gateway.config.RedisAccess;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The in-process cache in front of Redis, with Redis's commands as mocked collaborators. */
class SignatureCacheTest {

    private static final String HASH = "ab".repeat(32);

    @SuppressWarnings("unchecked")
    private final ReactiveValueOperations<String, String> values = mock(ReactiveValueOperations.class);
    private final ReactiveStringRedisTemplate template = mock(ReactiveStringRedisTemplate.class);
    private final BoundedCalls calls = new BoundedCalls(Duration.ofSeconds(1), "test-redis-");

    @AfterEach
    void close() {
        calls.close();
    }

    @Test
    void asksRedisOnlyOnceForARepeatedHit() {
        SignatureCache cache = cache(20_000, Duration.ofDays(30));
        when(values.multiGet(anyList())).thenReturn(Mono.just(Arrays.asList("signature", null)));
        when(template.expire(RedisKeys.sig(HASH), Duration.ofDays(30))).thenReturn(Mono.just(true));

        hitThreeTimes(cache);

        verify(values, times(1)).multiGet(anyList());
    }

    @Test
    void asksRedisEveryTimeWhenTheLocalCacheIsOff() {
        SignatureCache cache = cache(0, Duration.ofDays(30));
        when(values.multiGet(anyList())).thenReturn(Mono.just(Arrays.asList("signature", null)));
        when(template.expire(RedisKeys.sig(HASH), Duration.ofDays(30))).thenReturn(Mono.just(true));

        hitThreeTimes(cache);

        verify(values, times(3)).multiGet(anyList());
    }

    @Test
    void writesBackASignatureRedisLostWhileTheProcessServedIt() {
        // A 30 ms expiry renews a hot key at most once per millisecond, so a later hit renews again; every renewal
        // after the first finds the key gone and writes it back.
        SignatureCache cache = cache(20_000, Duration.ofMillis(30));
        when(values.multiGet(anyList())).thenReturn(Mono.just(Arrays.asList("signature", null)));
        when(template.expire(RedisKeys.sig(HASH), Duration.ofMillis(30)))
                .thenReturn(Mono.just(true), Mono.just(false));
        when(values.set(RedisKeys.sig(HASH), "signature", Duration.ofMillis(30))).thenReturn(Mono.just(true));
        cache.lookup(HASH).block();
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> verify(template, times(1)).expire(RedisKeys.sig(HASH), Duration.ofMillis(30)));

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            assertThat(cache.lookup(HASH).block().signature()).isEqualTo("signature");
            verify(values, atLeastOnce()).set(RedisKeys.sig(HASH), "signature", Duration.ofMillis(30));
        });
        verify(values, times(1)).multiGet(anyList());
    }

    private static void hitThreeTimes(SignatureCache cache) {
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(cache.lookup(HASH))
                    .assertNext(found -> assertThat(found.signature()).isEqualTo("signature"))
                    .verifyComplete();
        }
    }

    private SignatureCache cache(long maxSize, Duration signatureTtl) {
        when(template.opsForValue()).thenReturn(values);
        GatewayProperties gateway = new GatewayProperties(null, null, null, null, null, null, null, null, null, 2,
                "test", new GatewayProperties.LocalCache(maxSize, Duration.ofMinutes(10)), 256,
                new GatewayProperties.WarmUp(0, Duration.ofSeconds(1), 1));
        return new SignatureCache(new RedisAccess(template, calls),
                new SignatureCacheCommands(template, new CacheProperties(signatureTtl)), gateway);
    }
}
