package io.signapi.common.budget;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** The fixture of the budget tests on one connection: the test Redis, flushed before each test. */
abstract class RedisBudgetTest {

    static LettuceConnectionFactory factory;
    static ReactiveStringRedisTemplate redis;

    @BeforeAll
    static void connect() {
        factory = TestRedis.factory();
        redis = TestRedis.template(factory);
    }

    @AfterAll
    static void disconnect() {
        factory.destroy();
    }

    @BeforeEach
    void emptyBudget() {
        TestRedis.flush(factory);
    }
}
