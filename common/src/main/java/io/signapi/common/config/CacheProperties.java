package io.signapi.common.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Redis cache settings ({@code cache.*}), read by every app that writes or reads cached signatures.
 *
 * @param signatureTtl the expiry of a cached signature ({@code sig:<hash>}), renewed on every hit; the expiry is
 *                     what makes the key evictable under {@code volatile-lru}, the database row stays the durable
 *                     copy
 */
@ConfigurationProperties("cache")
public record CacheProperties(@DefaultValue("30d") Duration signatureTtl) {

    public CacheProperties {
        if (signatureTtl == null || signatureTtl.toMillis() < 1) {
            throw new IllegalArgumentException("cache.signature-ttl must be at least 1ms, was " + signatureTtl);
        }
    }
}
