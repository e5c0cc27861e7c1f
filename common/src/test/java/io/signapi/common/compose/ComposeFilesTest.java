package io.signapi.common.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks the compose files, {@code .env.example} and the Dockerfile against the build, as far as a machine without a
 * Docker engine can: what {@code docker compose up} would only reveal by failing (README, "Docker").
 */
class ComposeFilesTest {

    static final Path ROOT = projectRoot();
    static final List<String> APPS = List.of("api-gateway", "sign-worker", "notifier");
    static final Set<String> INFRASTRUCTURE = Set.of("kafka", "redis", "mysql", "mailpit");
    /** ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err} and bare $VAR; $$ is a literal dollar. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)[^}]*}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    static final Pattern HEAP = Pattern.compile("-Xmx(\\d+)([mMgG])");
    static final Pattern RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)");
    static final String BUILD_COMMAND = "./mvnw -B package -DskipTests";

    final Map<String, Object> compose = yaml("docker-compose.yml");
    final Map<String, Object> mysql8 = yaml("docker-compose.mysql8.yml");

    @Test
    void everyServiceHasAHealthcheckItsImageCanRun() {
        Map<String, Map<String, Object>> services = services(compose);
        assertThat(services).containsKeys("kafka", "redis", "mysql", "mailpit", "upstream-simulator", "api-gateway",
                "sign-worker", "notifier");
        services.forEach((name, service) -> {
            Map<String, Object> healthcheck = map(service.get("healthcheck"));
            assertThat(healthcheck).as("%s: healthcheck", name).isNotNull().doesNotContainEntry("disable", true);
            String test = String.valueOf(healthcheck.get("test"));
            assertThat(test).as("%s: healthcheck test", name).doesNotContain("NONE").isNotBlank();
            if (service.containsKey("build")) {
                // The JRE image has no curl or wget: bash and its /dev/tcp it has.
                assertThat(test).as("%s: healthcheck", name).doesNotContain("curl").doesNotContain("wget")
                        .contains("bash").contains("/dev/tcp/127.0.0.1/" + containerPort(service));
            }
        });
        for (String app : APPS) {
            assertThat(String.valueOf(map(services.get(app).get("healthcheck")).get("test")))
                    .as("%s: readiness, as ./stack judges it", app).contains("/actuator/health/readiness");
        }
        assertThat(map(services(mysql8).get("mysql").get("healthcheck"))).as("MySQL 8's own healthcheck")
                .isNotNull();
    }

    @Test
    void everyAppDependsOnTheHealthyInfrastructureItIsConfiguredFor() {
        Map<String, Map<String, Object>> services = services(compose);
        for (String app : APPS) {
            Map<String, Object> service = services.get(app);
            Map<String, Object> dependsOn = map(service.get("depends_on"));
            assertThat(dependsOn).as("%s: depends_on in the long form", app).isNotNull();
            Set<String> used = new TreeSet<>();
            for (Object value : map(service.get("environment")).values()) {
                for (String infra : INFRASTRUCTURE) {
                    if (Pattern.compile("(^|//)" + infra + ":\\d+|^" + infra + "$").matcher(value.toString()).find()) {
                        used.add(infra);
                    }
                }
            }
            assertThat(used).as("%s: infrastructure its settings point at", app).contains("kafka", "mysql");
            for (String infra : used) {
                assertThat(map(dependsOn.get(infra))).as("%s depends on %s", app, infra)
                        .containsEntry("condition", "service_healthy");
            }
            dependsOn.forEach((dependency, condition) -> assertThat(map(condition))
                    .as("%s -> %s", app, dependency).containsEntry("condition", "service_healthy"));
        }
        assertThat(map(services.get("notifier").get("depends_on"))).containsKey("mailpit");
        assertThat(map(services.get("api-gateway").get("depends_on"))).containsKey("redis");
        assertThat(map(services.get("sign-worker").get("depends_on"))).containsKey("redis");
    }

    @Test
    void everyServiceRestartsAndHasAMemoryLimitItsJvmRespects() {
        services(compose).forEach((name, service) -> {
            assertThat(service.get("restart")).as("%s: restart", name).isIn("unless-stopped", "always", "on-failure");
            long limit = bytes(String.valueOf(service.get("mem_limit")));
            assertThat(limit).as("%s: mem_limit", name).isPositive().isLessThanOrEqualTo(bytes("1g"));
            Map<String, Object> env = map(service.get("environment"));
            String jvm = env == null ? null
                    : (String) env.getOrDefault("JDK_JAVA_OPTIONS", env.get("KAFKA_HEAP_OPTS"));
            if (service.containsKey("build") || name.equals("kafka")) {
                assertThat(jvm).as("%s: JVM options", name).isNotNull();
                Matcher heap = HEAP.matcher(jvm);
                Matcher share = RAM_PERCENTAGE.matcher(jvm);
                if (heap.find()) {
                    long max = Long.parseLong(heap.group(1)) << (heap.group(2).equalsIgnoreCase("g") ? 30 : 20);
                    assertThat(max).as("%s: -Xmx within 75%% of %s", name, limit).isLessThanOrEqualTo(limit * 3 / 4);
                } else {
                    assertThat(share.find()).as("%s: a heap sized from the container's limit", name).isTrue();
                    assertThat(Integer.parseInt(share.group(1))).as("%s: MaxRAMPercentage", name).isBetween(25, 80);
                }
            }
        });
        // The gateway keeps the heap and collector the benchmarks chose (docs/BENCHMARKS.md, stack.d/apps.sh).
        String gateway = (String) map(services(compose).get("api-gateway").get("environment")).get("JDK_JAVA_OPTIONS");
        assertThat(gateway).contains("-Xmx512m", "-XX:+UseParallelGC");
        assertThat(read("stack.d/apps.sh")).contains("STACK_GATEWAY_HEAP:-512m", "STACK_GATEWAY_GC:--XX:+UseParallelGC");
    }

    @Test
    void everyVariableIsDocumentedInEnvExampleAndNothingElseIs() {
        Set<String> used = new TreeSet<>();
        used.addAll(variables(compose));
        used.addAll(variables(mysql8));
        Set<String> documented = envDocumented();

        assertThat(used).contains("UPSTREAM_BASE_URL", "UPSTREAM_API_KEY", "WEBHOOK_SECRET",
                "UPSTREAM_RATE_LIMIT_WINDOW");
        assertThat(documented).as(".env.example").containsExactlyInAnyOrderElementsOf(used);
    }

    @Test
    void defaultsInEnvExampleAreComposeFallbacksAndHoldNoRealSecret() {
        Map<String, Set<String>> fallbacks = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):-([^}]*)}")
                .matcher(String.join("\n", scalars(compose)) + "\n" + String.join("\n", scalars(mysql8)));
        while (m.find()) {
            fallbacks.computeIfAbsent(m.group(1), name -> new TreeSet<>()).add(m.group(2));
        }
        Map<String, String> documented = envExample();
        documented.forEach((name, value) -> assertThat(fallbacks.get(name)).as("fallbacks of %s", name)
                .contains(value));
        // One exception, on purpose: the notifier is told the loopback default while the simulator serves.
        fallbacks.forEach((name, values) -> assertThat(values.size()).as("fallbacks of %s", name)
                .isEqualTo(name.equals("UPSTREAM_BASE_URL") ? 2 : 1));
        assertThat(documented.get("UPSTREAM_API_KEY")).isEqualTo("local-dev-key");
        assertThat(documented.get("WEBHOOK_SECRET")).isEqualTo("whsec_bG9jYWwtZGV2LXdlYmhvb2stc2VjcmV0");
        assertThat(read(".gitignore")).as(".env with real values stays out of git").containsPattern("(?m)^\\.env$");
    }

    @Test
    void everyBuildContextDockerfileAndModuleExists() {
        Set<String> modules = new TreeSet<>();
        services(compose).forEach((name, service) -> {
            if (!service.containsKey("build")) {
                assertThat(service.get("image")).as("%s: image or build", name).isNotNull();
                return;
            }
            Map<String, Object> build = map(service.get("build"));
            Path context = ROOT.resolve(String.valueOf(build.get("context"))).normalize();
            assertThat(context).as("%s: build context", name).isDirectory();
            Path dockerfile = context.resolve(String.valueOf(build.getOrDefault("dockerfile", "Dockerfile")));
            assertThat(dockerfile).as("%s: Dockerfile", name).isRegularFile();
            String module = String.valueOf(map(build.get("args")).get("MODULE"));
            assertThat(module).as("%s: MODULE", name).isEqualTo(name);
            assertThat(context.resolve(module).resolve("pom.xml")).isRegularFile();
            modules.add(module);
        });
        assertThat(modules).containsExactlyInAnyOrder("upstream-simulator", "api-gateway", "sign-worker", "notifier");
        String dockerfile = read("Dockerfile");
        assertThat(dockerfile).contains("ARG MODULE=api-gateway");
        for (String pom : modulesOfTheBuild()) {
            assertThat(dockerfile).as("the dependency layer copies %s/pom.xml", pom)
                    .contains("COPY " + pom + "/pom.xml " + pom + "/").contains("COPY " + pom + "/src " + pom + "/src");
        }
    }

    @Test
    void theImageBuildsWithTheStacksCommandAsANonRootUserWithoutAHardCodedVersion() {
        String dockerfile = read("Dockerfile");
        assertThat(dockerfile).contains("RUN --mount=type=cache,target=/root/.m2 " + BUILD_COMMAND + "\n")
                .contains("dependency:go-offline");
        assertThat(read("stack.d/apps.sh")).contains("(cd \"$ROOT\" && " + BUILD_COMMAND + ")");
        assertThat(dockerfile).doesNotContain(projectVersion()).doesNotContain("SNAPSHOT");
        List<String> users = lines(dockerfile, "USER ");
        assertThat(users).isNotEmpty();
        assertThat(users.getLast()).isNotIn("USER root", "USER 0");
        assertThat(dockerfile.lastIndexOf("USER ")).isGreaterThan(dockerfile.lastIndexOf("FROM "));
        assertThat(dockerfile).contains("-XX:MaxRAMPercentage=");
    }

    @Test
    void noTwoServicesPublishTheSameHostPort() {
        Map<String, String> taken = new LinkedHashMap<>();
        List<String> clashes = new ArrayList<>();
        for (Map<String, Object> file : List.of(compose, mysql8)) {
            services(file).forEach((name, service) -> {
                for (String hostPort : publishedPorts(service)) {
                    String owner = taken.putIfAbsent(hostPort, name);
                    if (owner != null && !owner.equals(name)) {
                        clashes.add(hostPort + ": " + owner + " and " + name);
                    }
                }
            });
        }
        assertThat(clashes).isEmpty();
        assertThat(taken).containsEntry("5000", "api-gateway");
    }

    @Test
    void imageVersionsAreTheBuilds() {
        Map<String, Map<String, Object>> services = services(compose);
        // The broker is the version of the kafka-clients the apps are built with (and ./stack runs).
        assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(services.get("mysql").get("image")).isEqualTo("mariadb:10.11");
        assertThat(services(mysql8).get("mysql").get("image")).isEqualTo("mysql:8.4");
        assertThat(String.valueOf(services.get("redis").get("image"))).startsWith("redis:7");
        String java = javaVersion();
        assertThat(lines(read("Dockerfile"), "FROM ")).containsExactly(
                "FROM eclipse-temurin:" + java + "-jdk AS build", "FROM build AS pick",
                "FROM eclipse-temurin:" + java + "-jre");
    }

    @Test
    void theKafkaBrokerCreatesNoTopicsAndRedisEvictsOnlyExpiringKeys() {
        Map<String, Map<String, Object>> services = services(compose);
        Map<String, Object> kafka = map(services.get("kafka").get("environment"));
        assertThat(String.valueOf(kafka.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"))).isEqualTo("false");
        assertThat(String.valueOf(kafka.get("KAFKA_PROCESS_ROLES"))).isEqualTo("broker,controller");
        @SuppressWarnings("unchecked")
        List<String> redis = (List<String>) services.get("redis").get("command");
        assertThat(redis).containsSubsequence("--maxmemory-policy", "volatile-lru").contains("--maxmemory");
    }

    @Test
    void theAppsUseTheComposeDatabaseAndMysql8GetsTheDriverOptionsCachingSha2Needs() {
        for (String app : APPS) {
            Map<String, Object> env = map(services(compose).get(app).get("environment"));
            assertThat(env.get("SPRING_R2DBC_URL")).isEqualTo("r2dbc:mysql://mysql:3306/signapi");
            assertThat(String.valueOf(env.get("SPRING_FLYWAY_URL"))).startsWith("jdbc:mariadb://mysql:3306/signapi");
            Map<String, Object> override = map(services(mysql8).get(app).get("environment"));
            assertThat(String.valueOf(override.get("SPRING_R2DBC_URL"))).contains("sslMode=REQUIRED");
            assertThat(String.valueOf(override.get("SPRING_FLYWAY_URL"))).contains("allowPublicKeyRetrieval=true");
        }
        assertThat(String.valueOf(map(services(compose).get("notifier").get("environment")).get("SPRING_MAIL_HOST")))
                .isEqualTo("mailpit");
        assertThat(volumes(services(compose).get("mysql"))).contains("/var/lib/mysql");
    }

    // --- reading the files ---------------------------------------------------------------------------------------

    static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static String read(String file) {
        try {
            return Files.readString(ROOT.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    static Map<String, Object> yaml(String file) {
        // SafeConstructor: plain maps and lists; it resolves anchors and << merge keys as compose does.
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(read(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(Map<String, Object> file) {
        return (Map<String, Map<String, Object>>) file.get("services");
    }

    /** The variables compose interpolates: in every key and value of the file, never in its comments. */
    static Set<String> variables(Object file) {
        Set<String> names = new TreeSet<>();
        for (String text : scalars(file)) {
            Matcher m = VARIABLE.matcher(text.replace("$$", ""));
            while (m.find()) {
                names.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
        }
        return names;
    }

    static List<String> scalars(Object node) {
        List<String> out = new ArrayList<>();
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                out.addAll(scalars(k));
                out.addAll(scalars(v));
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> out.addAll(scalars(v)));
        } else if (node != null) {
            out.add(node.toString());
        }
        return out;
    }

    static Map<String, String> envExample() {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : read(".env.example").lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            assertThat(eq).as(".env.example line %s", line).isPositive();
            vars.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return vars;
    }

    /** Every variable .env.example documents: set ({@code NAME=value}) or shown unset ({@code # NAME=example}). */
    static Set<String> envDocumented() {
        Set<String> names = new TreeSet<>(envExample().keySet());
        Matcher m = Pattern.compile("(?m)^#\\s*([A-Z][A-Z0-9_]*)=").matcher(read(".env.example"));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Host ports as "port" or "ip:port", from short ("127.0.0.1:8025:8025") and long ({published}) forms. */
    static Set<String> publishedPorts(Map<String, Object> service) {
        Set<String> ports = new LinkedHashSet<>();
        Object list = service.get("ports");
        if (list == null) {
            return ports;
        }
        for (Object entry : (List<?>) list) {
            if (entry instanceof Map<?, ?> port) {
                ports.add(String.valueOf(port.get("published")));
                continue;
            }
            String[] parts = entry.toString().split("/")[0].split(":");
            if (parts.length >= 2) {
                ports.add(parts[parts.length - 2]);
            }
        }
        return ports;
    }

    static int containerPort(Map<String, Object> service) {
        String module = String.valueOf(map(map(service.get("build")).get("args")).get("MODULE"));
        return switch (module) {
            case "api-gateway" -> 5000;
            case "sign-worker" -> 5001;
            case "notifier" -> 5002;
            case "upstream-simulator" -> 5005;
            default -> throw new IllegalArgumentException(module);
        };
    }

    static List<String> volumes(Map<String, Object> service) {
        return ((List<?>) service.get("volumes")).stream().map(v -> v.toString().split(":")[1]).toList();
    }

    static long bytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([kmg]?)b?", Pattern.CASE_INSENSITIVE).matcher(size.strip());
        if (!m.matches()) {
            return -1;
        }
        int shift = switch (m.group(2).toLowerCase()) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    static List<String> lines(String text, String prefix) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(prefix)).toList();
    }

    static List<String> modulesOfTheBuild() {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(read("pom.xml"));
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertThat(modules).isNotEmpty();
        return modules;
    }

    static String javaVersion() {
        Matcher m = Pattern.compile("<java.version>(\\d+)</java.version>").matcher(read("pom.xml"));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static String projectVersion() {
        Matcher m = Pattern.compile("</parent>\\s*<groupId>[^<]+</groupId>\\s*<artifactId>[^<]+</artifactId>\\s*"
                + "<version>([^<]+)</version>").matcher(read("pom.xml"));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
