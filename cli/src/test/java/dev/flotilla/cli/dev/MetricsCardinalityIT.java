package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metrics the dashboards and alerts read, in a real scrape of every service after a rollout,
 * and their cardinality: the same rollout over 10 and over 50 tenants leaves (nearly) the same
 * series, and no label carries a tenant's name, a URL, a set id or a path as asked. A label per
 * tenant would add 40 series per metric between the two scrapes; the slack allowed is far below.
 * The same scrape holds every metric and label the dashboards and alerts query.
 */
class MetricsCardinalityIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** Series the larger fleet may add for reasons other than its size (an HTTP status class seen once). */
    private static final int SLACK = 10;
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path tmp;

    /** What one fleet's scrape held after its rollout, and the names that must not be in it. */
    record Scrape(Map<String, Map<String, String>> series, List<String> tenants, List<String> setIds,
            List<String> declaredRoutes) {
    }

    @Test
    void theSeriesAfterARolloutDoNotGrowWithTheTenantsAndNameNone() throws Exception {
        Scrape small = rollout(10);
        Scrape large = rollout(50);
        for (Scrape s : List.of(small, large)) {
            checkLabels(s);
        }
        everyDashboardAndAlertQueryUsesSeriesOf(large);
        Set<String> added = new TreeSet<>(large.series().keySet());
        added.removeAll(small.series().keySet());
        System.out.println("MetricsCardinalityIT: " + small.series().size() + " series with 10 tenants, "
                + large.series().size() + " with 50; added: " + added);
        assertThat(large.series().size()).as("series with 50 tenants against 10; added: " + added)
                .isLessThanOrEqualTo(small.series().size() + SLACK);
    }

    /** A fleet of {@code tenants} SQLite tenants, one directory pushed to all, then every service's scrape. */
    private Scrape rollout(int tenants) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("fleet-" + tenants));
        List<String> names = IntStream.range(0, tenants).mapToObj(i -> "tenant" + tenants + "x" + i).toList();
        Path hcl = root.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenants = [" + names.stream().map(n -> "\"" + n + "\"")
                .collect(Collectors.joining(", ")) + "]\n}\nenv \"prod\" {\n  for_each = toset(local.tenants)\n"
                + "  url = \"sqlite://" + root + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n"
                + "  }\n}\n");
        Path dir = root.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        FleetHarness.write(dir, "2_posts.sql", "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n");
        try (FleetHarness fleet = new FleetHarness(hcl, 8)) {
            await().atMost(WAIT).until(fleet::ready);
            assertThat(fleet.push(dir, "app", "v1").path("status").asInt()).isBetween(200, 201);
            await().atMost(WAIT).until(() -> fleet.databases("prod").stream()
                    .filter(d -> "SYNCED".equals(d.path("status").asText())).count() == tenants);
            List<String> setIds = new ArrayList<>();
            for (JsonNode s : fleet.sets()) {
                setIds.add(s.path("id").asText());
                // requests whose paths hold a set id and a tenant: only their route templates may be counted
                assertThat(fleet.send("GET", "/api/v1/deployment-sets/" + s.path("id").asText(), null, null)
                        .statusCode()).isEqualTo(200);
                assertThat(fleet.send("GET", "/api/v1/databases/" + URLEncoder.encode("prod/" + names.get(0),
                        StandardCharsets.UTF_8), null, null).statusCode()).isEqualTo(200);
            }
            assertThat(setIds).isNotEmpty();
            // the aggregator's gauges are refreshed on a timer, and Vert.x counts a request once answered
            await().atMost(WAIT).untilAsserted(() -> {
                Map<String, Map<String, String>> series = parse(fleet.text("/metrics"));
                assertThat(value(series, "flotilla_databases", Map.of("env", "prod", "directory", "app",
                        "status", "SYNCED"))).isEqualTo(tenants);
                assertThat(find(series, "vertx_http_server_requests_total", Map.of("method", "GET",
                        "route", "/api/v1/deployment-sets/:id", "code", "2xx"))).isNotEmpty();
                assertThat(find(series, "vertx_http_server_requests_total", Map.of("route",
                        "/api/v1/databases/:id"))).isNotEmpty();
            });
            Map<String, Map<String, String>> series = parse(fleet.text("/metrics"));
            // every group's lag, summed over this process's partitions; nothing left to read after the rollout
            await().atMost(WAIT).untilAsserted(() -> {
                Map<String, Map<String, String>> now = parse(fleet.text("/metrics"));
                assertThat(value(now, "flotilla_consumer_lag_records", Map.of("group", "workers",
                        "topic", "flotilla.commands"))).isZero();
                assertThat(value(now, "flotilla_consumer_lag_records", Map.of("group", "aggregator",
                        "topic", "flotilla.results"))).isZero();
            });
            assertThat(value(series, "flotilla_worker_commands_applied_total", Map.of("status", "PASSED")))
                    .isEqualTo(tenants);
            List<String> routes = new ArrayList<>();
            fleet.host().routerRoutes().forEach(r -> routes.add(r.substring(r.indexOf(' ') + 1)));
            return new Scrape(series, names, setIds, routes);
        }
    }

    /**
     * Every metric a dashboard panel or an alert names is in the scrape, and every label it selects
     * on or groups by is on a series of a metric the query names. The labels Prometheus adds to a
     * target ({@code instance}, {@code job}, {@code service}) are not in a scrape.
     */
    private static void everyDashboardAndAlertQueryUsesSeriesOf(Scrape s) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> queries = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve("deploy/grafana/dashboards"),
                "*.json")) {
            for (Path f : files) {
                for (JsonNode p : json.readTree(f.toFile()).path("panels")) {
                    List<JsonNode> panels = new ArrayList<>();
                    panels.add(p);
                    p.path("panels").forEach(panels::add);
                    for (JsonNode q : panels) {
                        q.path("targets").forEach(t -> queries.add(f.getFileName() + ": " + t.path("expr").asText()));
                    }
                }
            }
        }
        Map<String, Object> rules = new Yaml().load(Files.readString(root.resolve(
                "deploy/prometheus/rules/flotilla.yml")));
        for (Object g : (List<?>) rules.get("groups")) {
            for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) {
                queries.add("flotilla.yml: " + ((Map<?, ?>) r).get("expr"));
            }
        }
        assertThat(queries).hasSizeGreaterThan(40);
        Map<String, Set<String>> labelsOf = new TreeMap<>();
        s.series().values().forEach(l -> labelsOf.computeIfAbsent(l.get("__name__"), k -> new TreeSet<>())
                .addAll(l.keySet()));
        for (String q : queries) {
            Set<String> names = new TreeSet<>();
            Matcher m = Pattern.compile("\\b((?:flotilla|vertx)_[a-z0-9_]+)\\b").matcher(q);
            while (m.find()) {
                names.add(m.group(1));
            }
            Set<String> available = new TreeSet<>(Set.of("instance", "job", "service"));
            for (String n : names) {
                assertThat(labelsOf).as(q + ": " + n + " in the scrape").containsKey(n);
                available.addAll(labelsOf.get(n));
            }
            Set<String> used = new TreeSet<>();
            Matcher sel = Pattern.compile("\\{([^}]*)}").matcher(q.replaceAll("\\{\\{[^}]*}}", ""));
            while (sel.find()) {
                Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)").matcher(sel.group(1));
                while (l.find()) {
                    used.add(l.group(1));
                }
            }
            Matcher by = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)").matcher(q);
            while (by.find()) {
                for (String l : by.group(1).split(",")) {
                    if (!l.isBlank()) {
                        used.add(l.trim());
                    }
                }
            }
            assertThat(available).as(q + ": labels it selects or groups by").containsAll(used);
        }
    }

    /** No label value is a tenant, a URL, a set id or a path that is not a declared route template. */
    private static void checkLabels(Scrape s) {
        for (Map.Entry<String, Map<String, String>> e : s.series().entrySet()) {
            for (Map.Entry<String, String> l : e.getValue().entrySet()) {
                if (l.getKey().startsWith("__")) {
                    continue;
                }
                String v = l.getValue();
                String what = e.getKey() + ": " + l.getKey();
                assertThat(v).as(what + " is a URL").doesNotContain("://");
                for (String t : s.tenants()) {
                    assertThat(v).as(what + " names a tenant").doesNotContain(t);
                }
                for (String id : s.setIds()) {
                    assertThat(v).as(what + " names a set").doesNotContain(id);
                }
                if (l.getKey().equals("route") && !v.isEmpty()) {
                    assertThat(s.declaredRoutes()).as(what + " is a declared route template").contains(v);
                } else {
                    assertThat(v).as(what + " is a path").doesNotStartWith("/");
                }
            }
        }
    }

    /** Series key (the line up to its value) to labels, with the name and the value as {@code __name__} and {@code __value__}. */
    static Map<String, Map<String, String>> parse(String scrape) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String line : scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList()) {
            Matcher m = SERIES.matcher(line);
            assertThat(m.matches()).as("a sample line: " + line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            labels.put("__name__", m.group(1));
            labels.put("__value__", line.substring(line.lastIndexOf(' ') + 1));
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.put(line.substring(0, line.lastIndexOf(' ')), labels);
        }
        return out;
    }

    /** The series of {@code name} whose labels include {@code labels}. */
    private static List<String> find(Map<String, Map<String, String>> series, String name, Map<String, String> labels) {
        List<String> out = new ArrayList<>();
        series.forEach((key, l) -> {
            if (name.equals(l.get("__name__")) && l.entrySet().containsAll(labels.entrySet())) {
                out.add(key);
            }
        });
        return out;
    }

    /** The sum of the matching series' values; fails when there is none. */
    private static double value(Map<String, Map<String, String>> series, String name, Map<String, String> labels) {
        List<String> keys = find(series, name, labels);
        assertThat(keys).as(name + labels + " in the scrape").isNotEmpty();
        return keys.stream().mapToDouble(k -> Double.parseDouble(series.get(k).get("__value__"))).sum();
    }
}
