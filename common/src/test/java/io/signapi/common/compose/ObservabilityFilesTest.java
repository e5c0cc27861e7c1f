package io.signapi.common.compose;

import static io.signapi.common.compose.ComposeFilesTest.APPS;
import static io.signapi.common.compose.ComposeFilesTest.ROOT;
import static io.signapi.common.compose.ComposeFilesTest.containerPort;
import static io.signapi.common.compose.ComposeFilesTest.map;
import static io.signapi.common.compose.ComposeFilesTest.read;
import static io.signapi.common.compose.ComposeFilesTest.services;
import static io.signapi.common.compose.ComposeFilesTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The compose profile {@code observability} and what it loads: Prometheus scrapes the three apps, Grafana gets the
 * data source and the dashboard kept in {@code ops/grafana}, every panel the issue asks for exists, and every metric
 * a panel or an alert uses is documented in docs/OPERATIONS.md, with a runbook per alert. Whether the apps really
 * expose those metrics is checked against a running stack by {@code scripts/dashboard-metrics.py} (the smoke test).
 */
class ObservabilityFilesTest {

    static final String DASHBOARD = "ops/grafana/dashboards/sign-api.json";
    static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "by", "without", "on",
            "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "rate", "irate",
            "increase", "delta", "histogram_quantile", "clamp_min", "clamp_max", "absent", "time", "vector", "scalar");

    final Map<String, Object> compose = yaml("docker-compose.yml");
    final JsonNode dashboard = JsonMapper.builder().build().readTree(read(DASHBOARD));

    @Test
    void prometheusAndGrafanaRunOnlyInTheObservabilityProfileOnPinnedImages() {
        Map<String, Map<String, Object>> services = services(compose);
        for (String name : List.of("prometheus", "grafana")) {
            Map<String, Object> service = services.get(name);
            assertThat(service).as(name).isNotNull();
            assertThat(service.get("profiles")).as("%s: profiles", name).isEqualTo(List.of("observability"));
            assertThat(String.valueOf(service.get("image"))).as("%s: image", name).matches("[a-z/]+:v?\\d+\\.\\d+\\.\\d+");
            for (Object volume : (List<?>) service.get("volumes")) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(ROOT.resolve(source).normalize()).as("%s mounts %s", name, source).exists();
                }
            }
        }
        services.forEach((name, service) -> {
            if (!List.of("prometheus", "grafana").contains(name)) {
                assertThat(service).as("%s runs without a profile", name).doesNotContainKey("profiles");
            }
        });
    }

    @Test
    void prometheusScrapesEveryAppsActuatorByItsComposeName() {
        Map<String, Object> prometheus = yaml("ops/prometheus/prometheus.yml");
        List<String> targets = new ArrayList<>();
        for (Object job : (List<?>) prometheus.get("scrape_configs")) {
            Map<String, Object> config = map(job);
            assertThat(config.get("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Object group : (List<?>) config.get("static_configs")) {
                ((List<?>) map(group).get("targets")).forEach(t -> targets.add(t.toString()));
            }
        }
        List<String> expected = APPS.stream()
                .map(app -> app + ":" + containerPort(services(compose).get(app))).toList();
        assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(String.valueOf(prometheus.get("rule_files"))).isEqualTo("[/etc/prometheus/alerts.yml]");
    }

    @Test
    void theDashboardHasEveryPanelTheOperatorsNeedOnTheProvisionedDataSource() {
        Map<String, Object> datasources = yaml("ops/grafana/provisioning/datasources/prometheus.yml");
        Object uid = map(((List<?>) datasources.get("datasources")).getFirst()).get("uid");
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : panels()) {
            titles.add(panel.get("title").asString());
            assertThat(panel.get("datasource").get("uid").asString()).as(panel.get("title").asString())
                    .isEqualTo(uid);
            assertThat(panel.get("targets")).as("%s: queries", panel.get("title")).isNotEmpty();
        }
        assertThat(titles).contains("Budget slots used per window vs limit", "Time until the next free slot",
                "Backlog", "Oldest pending age and outbox lag", "Gateway outcomes", "Gateway latency percentiles",
                "Deliveries by outcome", "Dead-letter topics", "Consumer lag");
        Map<String, Object> provider = map(((List<?>) yaml("ops/grafana/provisioning/dashboards/sign-api.yml")
                .get("providers")).getFirst());
        assertThat(map(provider.get("options")).get("path")).isEqualTo("/var/lib/grafana/dashboards");
        assertThat(String.valueOf(services(compose).get("grafana").get("volumes")))
                .contains("./ops/grafana/dashboards:/var/lib/grafana/dashboards");
    }

    @Test
    void everyMetricAPanelOrAnAlertUsesIsDocumentedAndEveryAlertHasARunbook() {
        String operations = read("docs/OPERATIONS.md");
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.get("targets")) {
                used.addAll(metrics(target.get("expr").asString()));
            }
        }
        assertThat(used).contains("budget_slots_used", "budget_slots_limit", "worker_oldest_pending_seconds",
                "gateway_request_latency_seconds_bucket", "notifier_deliveries_total", "dead_letter_records",
                "consumer_group_lag_records");
        List<String> alerts = new ArrayList<>();
        for (Object group : (List<?>) yaml("ops/prometheus/alerts.yml").get("groups")) {
            for (Object rule : (List<?>) map(group).get("rules")) {
                alerts.add(String.valueOf(map(rule).get("alert")));
                used.addAll(metrics(String.valueOf(map(rule).get("expr"))));
            }
        }
        used.remove("up");  // Prometheus's own series for a target it cannot scrape
        for (String metric : used) {
            String documented = metric.replaceAll("_bucket$", "");
            assertThat(operations).as("docs/OPERATIONS.md documents %s", documented).contains("`" + documented);
        }
        assertThat(alerts).isNotEmpty();
        for (String alert : alerts) {
            assertThat(operations).as("a runbook for %s", alert).containsPattern("(?m)^#+ .*`?" + alert + "`?");
        }
    }

    private List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            if (!"row".equals(panel.get("type").asString())) {
                panels.add(panel);
            }
        }
        assertThat(panels).isNotEmpty();
        return panels;
    }

    /** The metric names of a PromQL expression: what is left after strings, matchers, ranges and label lists. */
    static Set<String> metrics(String expr) {
        String text = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(text);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }
}
