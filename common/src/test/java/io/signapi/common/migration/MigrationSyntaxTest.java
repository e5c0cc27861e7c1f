package io.signapi.common.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The migrations and the SQL in the main sources stay within what MariaDB 10.11 and MySQL 8.4 both accept: no MySQL 8
 * server runs here, so MariaDB-only syntax is caught by reading (docker-compose.mysql8.yml runs them on MySQL 8.4).
 */
class MigrationSyntaxTest {

    /** MariaDB-only syntax, by what MySQL 8.4 does with it. */
    static final Map<String, Pattern> MARIADB_ONLY = Map.ofEntries(
            Map.entry("RETURNING (INSERT/DELETE ... RETURNING)", word("RETURNING")),
            Map.entry("sequences (CREATE SEQUENCE)", Pattern.compile("(?i)\\bCREATE\\s+(OR\\s+REPLACE\\s+)?SEQUENCE\\b")),
            Map.entry("sequence functions (NEXTVAL, LASTVAL, SETVAL)", Pattern.compile("(?i)\\b(NEXTVAL|LASTVAL|SETVAL)\\s*\\(")),
            Map.entry("NEXT/PREVIOUS VALUE FOR", Pattern.compile("(?i)\\b(NEXT|PREVIOUS)\\s+VALUE\\s+FOR\\b")),
            Map.entry("CREATE OR REPLACE TABLE/INDEX", Pattern.compile("(?i)\\bCREATE\\s+OR\\s+REPLACE\\s+(TABLE|INDEX)\\b")),
            Map.entry("CREATE INDEX IF NOT EXISTS", Pattern.compile("(?i)\\bCREATE\\s+(UNIQUE\\s+)?INDEX\\s+IF\\s+NOT\\s+EXISTS\\b")),
            Map.entry("ALTER TABLE ... ADD/DROP ... IF [NOT] EXISTS",
                    Pattern.compile("(?i)\\b(ADD|DROP)\\s+(COLUMN\\s+|INDEX\\s+|KEY\\s+|CONSTRAINT\\s+)?IF\\s+(NOT\\s+)?EXISTS\\b")),
            Map.entry("MariaDB-only column types (INET4, INET6, UUID)", Pattern.compile("(?i)\\s(INET4|INET6|UUID)\\s*(NOT\\s+)?NULL\\b")),
            Map.entry("system-versioned tables", Pattern.compile("(?i)\\bWITH\\s+SYSTEM\\s+VERSIONING\\b")),
            Map.entry("MINUS / EXCEPT / INTERSECT ALL", Pattern.compile("(?i)\\b(MINUS|EXCEPT\\s+ALL|INTERSECT\\s+ALL)\\b")));

    static final Path ROOT = root();

    @Test
    void theMigrationsUseNoMariadbOnlySyntax() throws IOException {
        Resource[] migrations = new PathMatchingResourcePatternResolver()
                .getResources("classpath*:db/migration/*.sql");
        assertThat(migrations).extracting(Resource::getFilename).contains("V1__initial_schema.sql",
                "V2__worker_and_notifier.sql");
        List<String> found = new ArrayList<>();
        for (Resource migration : migrations) {
            String sql = withoutComments(migration.getContentAsString(StandardCharsets.UTF_8));
            found.addAll(mariadbOnly(migration.getFilename(), sql));
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theMainSourcesSqlUsesNoMariadbOnlySyntax() throws IOException {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path main : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
                }
            }
        }
        assertThat(sources).extracting(p -> p.getFileName().toString()).contains("SignAttempts.java");
        List<String> found = new ArrayList<>();
        for (Path source : sources) {
            // SQL lives in string literals and text blocks; comments may say "returning" in English.
            found.addAll(mariadbOnly(ROOT.relativize(source).toString(), stringLiterals(read(source))));
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theScanFindsEachKindOfMariadbOnlySyntax() {
        assertThat(mariadbOnly("sample", "INSERT INTO t (a) VALUES (1) RETURNING id")).hasSize(1);
        assertThat(mariadbOnly("sample", "CREATE SEQUENCE s START WITH 1")).hasSize(1);
        assertThat(mariadbOnly("sample", "SELECT NEXTVAL(s)")).hasSize(1);
        assertThat(mariadbOnly("sample", "SELECT NEXT VALUE FOR s")).hasSize(1);
        assertThat(mariadbOnly("sample", "CREATE OR REPLACE TABLE t (a INT)")).hasSize(1);
        assertThat(mariadbOnly("sample", "CREATE INDEX IF NOT EXISTS ix ON t (a)")).hasSize(1);
        assertThat(mariadbOnly("sample", "ALTER TABLE t ADD COLUMN IF NOT EXISTS b INT")).hasSize(1);
        assertThat(mariadbOnly("sample", "CREATE TABLE t (id UUID NOT NULL)")).hasSize(1);
        assertThat(mariadbOnly("sample", "CREATE TABLE t (a INT) WITH SYSTEM VERSIONING")).hasSize(1);
        assertThat(mariadbOnly("sample", withoutComments("-- a RETURNING clause is MariaDB's\nSELECT 1"))).isEmpty();
        assertThat(stringLiterals("// returning the row\nString q = \"DELETE FROM t RETURNING id\";"))
                .contains("RETURNING").doesNotContain("returning the row");
        assertThat(mariadbOnly("sample", "SELECT id FROM t WHERE a = ? FOR UPDATE SKIP LOCKED")).isEmpty();
    }

    static List<String> mariadbOnly(String where, String sql) {
        List<String> found = new ArrayList<>();
        MARIADB_ONLY.forEach((what, pattern) -> {
            Matcher m = pattern.matcher(sql);
            while (m.find()) {
                found.add(where + ": " + what + " at \"" + m.group().strip() + "\"");
            }
        });
        return found;
    }

    static String withoutComments(String sql) {
        return sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)(--|#).*$", " ");
    }

    /** The text of every string literal and text block of a Java source. */
    static String stringLiterals(String java) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("(?s)\"\"\"(.*?)\"\"\"|\"((?:\\\\.|[^\"\\\\\\n])*)\"").matcher(java);
        while (m.find()) {
            out.append(m.group(1) != null ? m.group(1) : m.group(2)).append('\n');
        }
        return out.toString();
    }

    static Pattern word(String word) {
        return Pattern.compile("(?i)\\b" + word + "\\b");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no project root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
