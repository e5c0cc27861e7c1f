package io.signapi.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test's own MariaDB database and Redis db, for a {@code @SpringBootTest} that is not an {@link IntegrationTest}
 * (e.g. one without the embedded broker); the same attributes, the same properties and the same {@link CleanSlate}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface TestStores {

    /** The module's own MariaDB database, e.g. {@code signapi_it_gateway}; must start with {@code signapi_it_}. */
    String database();

    /** The module's own Redis logical database, e.g. 2; never 0 (the local stack's). */
    int redisDatabase();
}
