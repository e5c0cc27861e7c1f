package io.signapi.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisKeysTest {

    @Test
    void prefixesKeysAsDesigned() {
        assertThat(RedisKeys.sig("abc")).isEqualTo("sig:abc");
        assertThat(RedisKeys.backoff("abc")).isEqualTo("backoff:abc");
        assertThat(RedisKeys.req("123")).isEqualTo("req:123");
        assertThat(RedisKeys.idem("key-1")).isEqualTo("idem:key-1");
        assertThat(RedisKeys.BUDGET_UPSTREAM).isEqualTo("budget:upstream");
        assertThat(RedisKeys.BUDGET_WORKER_WAITING).isEqualTo("budget:worker-waiting");
        assertThat(RedisKeys.BUDGET_PAUSED_UNTIL).isEqualTo("budget:paused-until");
        assertThat(RedisKeys.BACKLOG_STATS).isEqualTo("backlog:stats");
    }
}
