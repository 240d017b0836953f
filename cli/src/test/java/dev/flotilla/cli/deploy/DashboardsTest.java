package dev.flotilla.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboards under {@code deploy/grafana/dashboards}, checked without a Grafana by the
 * rules of Grafana's dashboard linter: every panel has a title, a description and a unit, queries
 * through the dashboard's datasource variable, takes {@code $__rate_interval} in every rate, and
 * its PromQL parses ({@code promtool check rules} on the expressions), and the variables it uses
 * are the dashboard's. That each metric exists is checked against a real scrape by
 * {@code ComposeWiringIT}, and each label by {@code MetricsCardinalityIT}.
 */
class DashboardsTest {
    static final Path DASHBOARDS = Compose.repositoryRoot().resolve("deploy/grafana/dashboards");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("\\b(rate|irate|increase)\\(([^\\[]*)\\[([^\\]]+)]");

    @TempDir
    Path tmp;

    @Test
    void everyPanelHasATitleDescriptionUnitAndTheDatasourceVariable() throws Exception {
        for (JsonNode d : dashboards()) {
            assertThat(d.path("uid").asText()).isNotEmpty();
            assertThat(d.path("title").asText()).isNotEmpty();
            boolean variable = false;
            for (JsonNode v : d.path("templating").path("list")) {
                variable |= "datasource".equals(v.path("type").asText()) && "prometheus".equals(v.path("query").asText());
            }
            assertThat(variable).as(d.path("title") + " has a Prometheus datasource variable").isTrue();
            for (JsonNode p : panels(d)) {
                String what = d.path("title").asText() + " / " + p.path("title").asText();
                assertThat(p.path("title").asText()).as("panel " + p.path("id") + " title").isNotBlank();
                assertThat(p.path("description").asText()).as(what + " description").isNotBlank();
                assertThat(p.path("fieldConfig").path("defaults").path("unit").asText()).as(what + " unit")
                        .isNotBlank();
                assertThat(p.path("datasource").path("uid").asText()).as(what).isEqualTo("${datasource}");
                assertThat(p.path("targets")).as(what + " queries").isNotEmpty();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).as(what).isEqualTo("${datasource}");
                    Matcher m = RANGE.matcher(t.path("expr").asText());
                    while (m.find()) {
                        assertThat(m.group(3)).as(what + ": " + m.group()).isEqualTo("$__rate_interval");
                    }
                }
            }
        }
    }

    @Test
    void everyVariableAQueryUsesIsDeclaredAndEveryDashboardHasItsOwnUid() throws Exception {
        Set<String> uids = new LinkedHashSet<>();
        Pattern variable = Pattern.compile("\\$(?:\\{)?([a-zA-Z_][a-zA-Z0-9_]*)");
        for (JsonNode d : dashboards()) {
            assertThat(uids.add(d.path("uid").asText())).as("uid " + d.path("uid") + " once").isTrue();
            Set<String> declared = new LinkedHashSet<>();
            for (JsonNode v : d.path("templating").path("list")) {
                declared.add(v.path("name").asText());
            }
            for (JsonNode p : panels(d)) {
                for (JsonNode t : p.path("targets")) {
                    Matcher m = variable.matcher(t.path("expr").asText());
                    while (m.find()) {
                        if (!m.group(1).startsWith("__")) { // Grafana's own: $__rate_interval
                            assertThat(declared).as(d.path("title").asText() + " / " + p.path("title").asText()
                                    + ": $" + m.group(1) + " is a variable of the dashboard").contains(m.group(1));
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyQueryParses() throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        int n = 0;
        for (String e : expressions()) {
            rules.append("      - record: dashboard:expr").append(n++).append("\n        expr: '")
                    .append(e.replace("$__rate_interval", "1m").replace("'", "''")).append("'\n");
        }
        Path file = tmp.resolve("dashboards.yml");
        Files.writeString(file, rules);
        assertThat(PrometheusRulesTest.promtool("check", "rules", file.toString())).contains("SUCCESS: " + n);
    }

    /** Every panel of every dashboard, rows' panels included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if ("row".equals(p.path("type").asText())) {
                p.path("panels").forEach(out::add);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    static List<JsonNode> dashboards() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(DASHBOARDS, "*.json")) {
            for (Path f : files) {
                out.add(JSON.readTree(f.toFile()));
            }
        }
        assertThat(out).as("dashboards in " + DASHBOARDS).isNotEmpty();
        return out;
    }

    /** Every PromQL expression of every dashboard. */
    static Set<String> expressions() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode d : dashboards()) {
            for (JsonNode p : panels(d)) {
                p.path("targets").forEach(t -> out.add(t.path("expr").asText()));
            }
        }
        return out;
    }
}
