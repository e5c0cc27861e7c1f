package io.signapi.worker.store;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/** Small helpers for binding optional values and reading numbers from R2DBC rows. */
public final class Sql {

    private Sql() {
    }

    /** Binds {@code value}, or a typed NULL when it is null. */
    public static <T> GenericExecuteSpec bindNullable(GenericExecuteSpec spec, String name, @Nullable T value,
            Class<T> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }

    /** A numeric column as a long, 0 for NULL (drivers answer COUNT and SUM in different types). */
    public static long number(@Nullable Object value) {
        return value instanceof Number number ? number.longValue() : 0;
    }
}
