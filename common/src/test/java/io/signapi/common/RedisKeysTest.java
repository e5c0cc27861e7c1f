package io.signapi.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

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

    @Test
    void everyKeyStartsWithOneOfThePrefixesThatResetDeletes() {
        List<String> keys = List.of(RedisKeys.sig("h"), RedisKeys.backoff("h"), RedisKeys.req("r"), RedisKeys.idem("k"),
                RedisKeys.BUDGET_UPSTREAM, RedisKeys.BUDGET_WORKER_WAITING, RedisKeys.BUDGET_PAUSED_UNTIL,
                RedisKeys.BACKLOG_STATS);
        assertThat(keys).allSatisfy(key -> assertThat(RedisKeys.PREFIXES).anySatisfy(p -> assertThat(key).startsWith(p)));
        assertThat(RedisKeys.PREFIXES).contains("idem:").allSatisfy(p -> assertThat(p).matches("[a-z-]+:"));
    }
}
