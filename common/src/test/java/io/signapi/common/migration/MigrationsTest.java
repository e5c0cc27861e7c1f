package io.signapi.common.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Flyway migrations on the local MariaDB, in common's own database {@code signapi_it_common}. */
class MigrationsTest {

    private static final String DATABASE = "signapi_it_common";
    private static final String SERVER_URL = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String URL = SERVER_URL + DATABASE;
    private static final String USER = "root";
    private static final String PASSWORD = "";
    /** The worker's claim of the next due message, as documented in V1__initial_schema.sql. */
    private static final String CLAIM = "SELECT message_hash FROM sign_message"
            + " WHERE next_attempt_at <= ? AND signature IS NULL"
            + " ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED";

    private static MigrateResult first;
    private static MigrateResult second;

    @BeforeAll
    static void migrateFromScratchTwice() throws SQLException {
        try (Connection server = DriverManager.getConnection(SERVER_URL, USER, PASSWORD);
                Statement statement = server.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE);
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        first = flyway().migrate();
        second = flyway().migrate();
    }

    private static Flyway flyway() {
        return Flyway.configure().dataSource(URL, USER, PASSWORD).locations("classpath:db/migration").load();
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASSWORD);
    }

    @Test
    void appliesFromScratchAndIsANoOpTheSecondTime() {
        assertThat(first.success).isTrue();
        assertThat(first.migrationsExecuted).isEqualTo(4);
        assertThat(second.success).isTrue();
        assertThat(second.migrationsExecuted).isZero();
        assertThat(flyway().validateWithResult().validationSuccessful).isTrue();
    }

    @Test
    void createsTheColumnsTheServicesUse() throws SQLException {
        assertThat(columns("sign_request")).containsExactly("id", "message_hash", "email", "webhook",
                "idempotency_key", "status", "attempts", "created_at", "completed_at", "result_published",
                "failure_reason");
        assertThat(columns("sign_message")).containsExactly("message_hash", "message", "signature", "attempts",
                "first_failure_at", "last_failure_at", "next_attempt_at", "claimed_until", "claimed_by", "created_at",
                "signed_at", "expected_at");
        assertThat(columns("notification")).containsExactly("request_id", "channel", "status", "attempts",
                "last_error", "delivered_at", "created_at", "updated_at", "next_attempt_at", "claimed_until",
                "claimed_by");
        assertThat(columns("sign_attempt")).containsExactly("id", "message_hash", "caller", "instance_id",
                "started_at", "finished_at", "outcome", "http_status", "latency_ms");
    }

    private static List<String> columns(String table) throws SQLException {
        try (Connection connection = connect();
                PreparedStatement query = connection.prepareStatement("SELECT column_name FROM"
                        + " information_schema.columns WHERE table_schema = ? AND table_name = ?"
                        + " ORDER BY ordinal_position")) {
            query.setString(1, DATABASE);
            query.setString(2, table);
            return strings(query);
        }
    }

    private static List<String> strings(PreparedStatement query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    @Test
    void claimsTheNextDueMessageThroughTheIndexAndSkipsLockedOnes() throws SQLException {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM sign_message");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sign_message"
                    + " (message_hash, message, signature, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 400; i++) {
                    boolean signed = i % 4 == 0;
                    insert.setString(1, "%064d".formatted(i));
                    insert.setString(2, "message " + i);
                    insert.setString(3, signed ? "sig" + i : null);
                    // A quarter signed (no next attempt), the rest spread from 200 s overdue to 200 s ahead.
                    insert.setTimestamp(4, signed ? null : Timestamp.from(now.plusSeconds(i - 200L)));
                    insert.setTimestamp(5, Timestamp.from(now));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            statement.execute("ANALYZE TABLE sign_message");
        }

        try (Connection first = connect(); Connection second = connect()) {
            assertThat(explainKey(first, now)).isEqualTo("ix_sign_message_next_attempt");

            first.setAutoCommit(false);
            second.setAutoCommit(false);
            String claimedFirst = claim(first, now);
            String claimedSecond = claim(second, now);

            // The most overdue unsigned message goes to the first worker, the next one to the second.
            assertThat(claimedFirst).isEqualTo("%064d".formatted(1));
            assertThat(claimedSecond).isEqualTo("%064d".formatted(2));
            first.rollback();
            second.rollback();
        }
    }

    private static String explainKey(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + CLAIM)) {
            explain.setTimestamp(1, Timestamp.from(now));
            try (ResultSet plan = explain.executeQuery()) {
                assertThat(plan.next()).isTrue();
                return plan.getString("key");
            }
        }
    }

    private static String claim(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setTimestamp(1, Timestamp.from(now));
            try (ResultSet row = claim.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    @Test
    void keepsIdempotencyKeysAndNotificationsUnique() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM sign_request");
            statement.execute("DELETE FROM notification");
            String request = "INSERT INTO sign_request (id, message_hash, idempotency_key, status) VALUES ('%s', '%s',"
                    + " %s, 'PENDING')";
            String hash = "a".repeat(64);
            statement.execute(request.formatted("00000000-0000-0000-0000-000000000001", hash, "'key-1'"));
            statement.execute(request.formatted("00000000-0000-0000-0000-000000000002", hash, "NULL"));
            statement.execute(request.formatted("00000000-0000-0000-0000-000000000003", hash, "NULL"));
            String notification = "INSERT INTO notification (request_id, channel, status) VALUES"
                    + " ('00000000-0000-0000-0000-000000000001', '%s', 'PENDING')";
            statement.execute(notification.formatted("EMAIL"));
            statement.execute(notification.formatted("WEBHOOK"));

            assertThatThrownBy(() -> statement.execute(
                    request.formatted("00000000-0000-0000-0000-000000000004", hash, "'key-1'")))
                    .isInstanceOf(SQLIntegrityConstraintViolationException.class);
            assertThatThrownBy(() -> statement.execute(notification.formatted("EMAIL")))
                    .isInstanceOf(SQLIntegrityConstraintViolationException.class);
            assertThatThrownBy(() -> statement.execute(
                    request.formatted("00000000-0000-0000-0000-000000000005", hash, "NULL").replace("PENDING", "LOST")))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void acceptsTheProbeOutcomeAndStillRefusesAnUnknownOne() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM sign_attempt");
            String attempt = "INSERT INTO sign_attempt (message_hash, caller, instance_id, outcome, http_status,"
                    + " latency_ms) VALUES ('%s', 'GATEWAY', 'probe-test', '%s', 200, 5)";
            statement.execute(attempt.formatted("b".repeat(64), "PROBE"));
            statement.execute(attempt.formatted("b".repeat(64), "SIGNED"));

            assertThatThrownBy(() -> statement.execute(attempt.formatted("b".repeat(64), "GUESSED")))
                    .isInstanceOf(SQLException.class);
            try (var rows = statement.executeQuery("SELECT COUNT(*) FROM sign_attempt")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(2);
            }
        }
    }
}
