package dev.flotilla.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.cli.Main;
import dev.flotilla.fabric.access.Tokens;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import dev.flotilla.testkit.TestPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The wiring in {@code docker-compose.yml} is the wiring that works: every Flotilla service of the
 * file runs as a local process with the file's command and environment, in the order its
 * {@code depends_on} gives, the worker as many times as {@code deploy.replicas} says; the demo
 * tenants are made by the file's own init scripts; and {@code deploy/demo/migrations} pushed to the
 * registry reaches every demo tenant. What differs from a compose host is only where things are,
 * each listed in {@link #hosts}: Kafka is the in-process broker, the store and the tenant
 * databases are this machine's PostgreSQL and MariaDB, every process gets its own port on
 * loopback, and container paths map to the repository through the file's bind mounts.
 */
class ComposeWiringIT {
    private static final Set<String> ROLES = Set.of("registry", "coordinator", "aggregator", "notifier", "worker");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    /** The compose host's addresses and what stands for them here, replaced in every variable. */
    private final Map<String, String> hosts = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void theComposeFilesServicesPushTheDemoDirectoryToEveryDemoTenant() throws Exception {
        TestDatabases.assumeMariaDb();
        Path root = Compose.repositoryRoot();
        Map<String, String> variables = Map.of("FLOTILLA_ADMIN_TOKEN", Tokens.generate(),
                "FLOTILLA_WORKER_TOKEN", Tokens.generate(), "FLOTILLA_STORE_PASSWORD", "store-" + UUID.randomUUID(),
                "DEMO_TENANTS_PASSWORD", "demo-" + UUID.randomUUID().toString().substring(0, 8),
                "GRAFANA_ADMIN_PASSWORD", "unused");
        Compose compose = Compose.load(root.resolve("docker-compose.yml"), variables);
        String password = variables.get("DEMO_TENANTS_PASSWORD");

        try (ScratchDatabase store = TestDatabases.postgresDatabase("compose_store");
             ScratchDatabase tenants = TestDatabases.postgresDatabase("compose_tenants")) {
            String pg = hostPort(store.jdbcUrl());
            // The compose file's store and demo tenants, on this machine's servers, made by its init scripts.
            asPostgresAdmin(store, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'flotilla') THEN"
                    + " CREATE ROLE flotilla LOGIN; END IF; END $$",
                    "ALTER DATABASE " + store.name() + " OWNER TO flotilla",
                    "ALTER DATABASE " + tenants.name() + " OWNER TO flotilla");
            store.exec("ALTER SCHEMA public OWNER TO flotilla");
            tenants.exec(Files.readString(root.resolve(initScript(compose, "tenants-postgres"))));
            mariaDbTenants(root.resolve(initScript(compose, "tenants-mariadb")), password);

            hosts.put("kafka:9092", KafkaFixture.shared().bootstrapServers());
            hosts.put("store:5432/flotilla", pg + "/" + store.name());
            hosts.put("tenants-postgres:5432", pg);
            hosts.put("postgres_db=tenants", "postgres_db=" + tenants.name());
            hosts.put("tenants-mariadb:3306", "127.0.0.1:3306");

            Map<String, Integer> ports = new LinkedHashMap<>();
            List<Integer> allPorts = new ArrayList<>();
            Map<String, List<Integer>> replicaPorts = new LinkedHashMap<>();
            List<String> order = startOrder(compose);
            for (String name : order) {
                for (int i = 0; i < Compose.replicas(compose.service(name)); i++) {
                    int port = TestPorts.free();
                    ports.putIfAbsent(name, port);
                    replicaPorts.computeIfAbsent(name, k -> new ArrayList<>()).add(port);
                    hosts.putIfAbsent("http://" + name + ":8080", "http://127.0.0.1:" + port);
                    start(compose, name, i, port);
                    allPorts.add(port);
                }
            }
            assertThat(order).as("start order from depends_on").containsExactly("registry", "coordinator",
                    "aggregator", "notifier", "worker");

            String admin = variables.get("FLOTILLA_ADMIN_TOKEN");
            StringWriter out = new StringWriter();
            int pushed = Main.run(new String[] {"migrate", "push", "--registry", "http://127.0.0.1:"
                + ports.get("registry"), "--token", admin, "--dir", "file://" + root.resolve("deploy/demo/migrations"),
                "demo:v1"}, new PrintWriter(out), new PrintWriter(out));
            assertThat(pushed).as(out.toString()).isZero();

            String api = "http://127.0.0.1:" + ports.get("aggregator");
            try {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> get(api + "/api/v1/databases?status=SYNCED&pageSize=1", admin)
                                .path("page").path("total").asInt() == 6);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                StringBuilder logs = new StringBuilder();
                try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                        List<String> lines = Files.readAllLines(f);
                        logs.append("\n== ").append(f.getFileName()).append('\n').append(String.join("\n",
                                lines.subList(Math.max(0, lines.size() - 40), lines.size())));
                    }
                }
                throw new AssertionError("not every demo tenant SYNCED: " + get(api + "/api/v1/databases", admin)
                        + "\nsets: " + get(api + "/api/v1/deployment-sets", admin) + logs, e);
            }
            for (String schema : List.of("hooli", "stark", "umbrella")) {
                assertThat(count(tenants.jdbcUrl() + "&currentSchema=" + schema, "postgres", "")).isEqualTo(2);
            }
            for (String db : List.of("demo_acme", "demo_globex", "demo_initech")) {
                assertThat(count("jdbc:mariadb://127.0.0.1:3306/" + db, "flotilla", password)).isEqualTo(2);
            }
            // Every metric an alert or a dashboard panel uses is in a real scrape of these services. The
            // fleet gauges (databases by status, behind, sets running) come with the aggregator's next
            // refresh, every 5 s, so the scrape is repeated until then.
            Set<String> used = new LinkedHashSet<>();
            for (Map<?, ?> rule : PrometheusRulesTest.rules()) {
                used.addAll(metricNames(String.valueOf(rule.get("expr"))));
            }
            for (String e : DashboardsTest.expressions()) {
                used.addAll(metricNames(e));
            }
            System.out.println("ComposeWiringIT: metrics used by alerts and dashboards: " + used);
            Set<String> scraped = new LinkedHashSet<>();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    scraped.clear();
                    for (int port : allPorts) {
                        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
                        body.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                                .forEach(l -> scraped.add(l.split("[{ ]", 2)[0]));
                    }
                    return scraped.containsAll(used);
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // the assertion below names what is missing
            }
            assertThat(scraped).as("metrics scraped from every service after the rollout").containsAll(used);
            // The CI examples' commands, as their script lines are written, against these services.
            try (ScratchDatabase dev = TestDatabases.postgresDatabase("ci_dev")) {
                ciExamples(root, "http://127.0.0.1:" + ports.get("registry"), admin, dev);
            }

            // A real Prometheus with the file's scrape configuration and alert rules scrapes these
            // processes; a version that fails on every tenant sets off FlotillaDatabaseFailed.
            Path prometheus = Path.of("/usr/bin/prometheus");
            if (Files.isExecutable(prometheus)) {
                String prom = startPrometheus(prometheus, root, replicaPorts);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> promQuery(prom,
                        "sum(flotilla_worker_commands_applied_total)").path("data").path("result").size() == 1);
                // increase() counts from the first sample Prometheus holds: the aggregator's failure
                // counter must have been scraped at 0 before the failures, or they are never seen.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> promQuery(prom,
                        "flotilla_aggregator_failed_targets_total").path("data").path("result").size() > 0);
                Path bad = tmp.resolve("bad");
                Files.createDirectories(bad);
                try (java.util.stream.Stream<Path> files = Files.list(root.resolve("deploy/demo/migrations"))) {
                    for (Path f : files.toList()) {
                        Files.copy(f, bad.resolve(f.getFileName()));
                    }
                }
                Files.writeString(bad.resolve("20261201000200_again.sql"), "INSERT INTO users (id, name) VALUES (1,"
                        + " 'again');\n");
                assertThat(Main.run(new String[] {"migrate", "hash", "--dir", "file://" + bad}, new PrintWriter(out),
                        new PrintWriter(out))).as(out.toString()).isZero();
                assertThat(Main.run(new String[] {"migrate", "push", "--registry", "http://127.0.0.1:"
                    + ports.get("registry"), "--token", admin, "--dir", "file://" + bad, "demo:v2"},
                        new PrintWriter(out), new PrintWriter(out))).as(out.toString()).isZero();
                try {
                    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        for (JsonNode a : promGet(prom, "/api/v1/alerts").path("data").path("alerts")) {
                            if ("FlotillaDatabaseFailed".equals(a.path("labels").path("alertname").asText())) {
                                return true;
                            }
                        }
                        return false;
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("FlotillaDatabaseFailed did not fire; push: " + out + "; failed targets"
                            + " scraped: " + promQuery(prom, "flotilla_aggregator_failed_targets_total") + "; targets: "
                            + promGet(prom, "/api/v1/targets").path("data").path("activeTargets") + "; databases: "
                            + get(api + "/api/v1/databases?pageSize=10", admin), e);
                }
                System.out.println("ComposeWiringIT: Prometheus alerts after the failing version: "
                        + promGet(prom, "/api/v1/alerts").path("data").path("alerts"));
            } else {
                System.out.println("ComposeWiringIT: /usr/bin/prometheus is not installed (apt-get install"
                        + " prometheus): the scrape and alert check is skipped");
            }

            // Logs as the compose file asks for them: one JSON object per line.
            String registryLog = Files.readString(tmp.resolve("registry-0.log"));
            assertThat(registryLog.lines().filter(l -> l.startsWith("{")).findFirst())
                    .as(registryLog).hasValueSatisfying(l -> assertThat(json(l).path("level").asText()).isNotEmpty());
        }
    }

    /** The compose services that run Flotilla, ordered so that each starts after what it depends on. */
    private static List<String> startOrder(Compose compose) {
        Set<String> done = new LinkedHashSet<>();
        List<String> flotilla = new ArrayList<>();
        compose.services().forEach((name, s) -> {
            List<String> c = Compose.command(s);
            if (!c.isEmpty() && ROLES.contains(c.get(0))) {
                flotilla.add(name);
            }
        });
        while (done.size() < flotilla.size()) {
            boolean progress = false;
            for (String name : flotilla) {
                if (!done.contains(name) && Compose.dependsOn(compose.service(name)).stream()
                        .filter(flotilla::contains).allMatch(done::contains)) {
                    for (String d : Compose.dependsOn(compose.service(name))) {
                        if (flotilla.contains(d)) {
                            assertThat(Compose.condition(compose.service(name), d)).as(name + " waits for " + d
                                    + " to be healthy").isEqualTo("service_healthy");
                        }
                    }
                    done.add(name);
                    progress = true;
                }
            }
            assertThat(progress).as("depends_on has a cycle among " + flotilla).isTrue();
        }
        return new ArrayList<>(done);
    }

    /** One replica of a compose service as a local process, then its compose health check until it passes. */
    private void start(Compose compose, String name, int replica, int port) throws Exception {
        Map<String, Object> s = compose.service(name);
        Map<String, String> env = new LinkedHashMap<>();
        Compose.environment(s).forEach((k, v) -> env.put(k, localize(v)));
        env.put("FLOTILLA_PORT", Integer.toString(port));
        env.put("FLOTILLA_BIND", "127.0.0.1");
        Path config = compose.hostPath(s, env.get("FLOTILLA_CONFIG"));
        assertThat(config).as(name + ": FLOTILLA_CONFIG " + env.get("FLOTILLA_CONFIG") + " comes from a bind mount")
                .isNotNull().exists();
        env.put("FLOTILLA_CONFIG", config.toString());
        env.put("FLOTILLA_DATA_DIR", tmp.resolve(name + "-" + replica + "-data").toString());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                Path.of("target", "flotilla.jar").toAbsolutePath().toString()));
        cmd.addAll(Compose.command(s));
        Path log = tmp.resolve(name + "-" + replica + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FLOTILLA_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        List<String> check = Compose.healthcheck(s);
        assertThat(check).as(name + " has a health check").contains("http://127.0.0.1:8080/health/ready");
        URI health = URI.create(check.get(check.size() - 1).replace(":8080", ":" + port));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Files.readString(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    private String localize(String value) {
        String v = value;
        for (Map.Entry<String, String> h : hosts.entrySet()) {
            v = v.replace(h.getKey(), h.getValue());
        }
        return v;
    }

    /** The file a tenant database's service mounts into docker-entrypoint-initdb.d. */
    @SuppressWarnings("unchecked")
    private static String initScript(Compose compose, String service) {
        for (Object v : (List<Object>) compose.service(service).get("volumes")) {
            String[] parts = String.valueOf(v).split(":");
            if (parts[1].startsWith("/docker-entrypoint-initdb.d/")) {
                return parts[0];
            }
        }
        throw new AssertionError(service + " mounts no init script");
    }

    /** The MariaDB image's MARIADB_USER, then the file's init script, on this machine's MariaDB. */
    private static void mariaDbTenants(Path script, String password) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE USER IF NOT EXISTS 'flotilla'@'%' IDENTIFIED BY '" + password + "'");
            s.execute("ALTER USER 'flotilla'@'%' IDENTIFIED BY '" + password + "'");
            for (String db : List.of("demo_acme", "demo_globex", "demo_initech")) {
                s.execute("DROP DATABASE IF EXISTS " + db);
            }
            String withoutComments = Files.readString(script).lines().filter(l -> !l.trim().startsWith("--"))
                    .reduce("", (a, b) -> a + "\n" + b);
            for (String sql : withoutComments.split(";")) {
                String stmt = sql.trim();
                if (!stmt.isEmpty()) {
                    s.execute(stmt);
                }
            }
        }
    }

    private static void asPostgresAdmin(ScratchDatabase db, String... sql) throws Exception {
        String url = db.jdbcUrl().replace("/" + db.name() + "?", "/postgres?");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (String x : sql) {
                s.execute(x);
            }
        }
    }

    private static String hostPort(String jdbcUrl) {
        String rest = jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
        return rest.substring(0, rest.indexOf('/'));
    }

    private static long count(String jdbcUrl, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Runs the script lines of {@code deploy/ci/gitlab-ci.yml} that call {@code flotilla}, with the
     * CI's variables, in a checkout holding the demo's migrations; the dev database is a local one.
     */
    @SuppressWarnings("unchecked")
    private void ciExamples(Path root, String registry, String token, ScratchDatabase scratch) throws Exception {
        Map<String, Object> ci = new org.yaml.snakeyaml.Yaml().load(Files.readString(root.resolve(
                "deploy/ci/gitlab-ci.yml")));
        Path checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout.resolve("migrations"));
        try (java.util.stream.Stream<Path> files = Files.list(root.resolve("deploy/demo/migrations"))) {
            for (Path f : files.toList()) {
                Files.copy(f, checkout.resolve("migrations").resolve(f.getFileName()));
            }
        }
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("flotilla"), "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"),
                "bin", "java") + "' -jar '" + Path.of("target", "flotilla.jar").toAbsolutePath() + "' \"$@\"\n");
        bin.resolve("flotilla").toFile().setExecutable(true);
        String devUrl = scratch.url();
        int ran = 0;
        for (String job : List.of("migrations:validate", "migrations:push")) {
            for (Object line : (List<Object>) ((Map<String, Object>) ci.get(job)).get("script")) {
                String cmd = String.valueOf(line).replace("postgres://postgres:dev@dev:5432/postgres?sslmode=disable",
                        devUrl);
                ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd).directory(checkout.toFile())
                        .redirectErrorStream(true);
                pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
                pb.environment().putAll(Map.of("DIR", "demo", "CI_COMMIT_SHA", "0123456789abcdef0123",
                        "FLOTILLA_URL", registry, "FLOTILLA_TOKEN", token));
                Process p = pb.start();
                String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as(job + ": " + cmd + "\n" + output).isZero();
                ran++;
            }
        }
        assertThat(ran).isEqualTo(2);
        assertThat(get(registry + "/api/v1/dirs", token).toString()).contains("0123456789abcdef0123");
    }

    /** Prometheus on loopback with the compose file's configuration, its targets these processes. */
    @SuppressWarnings("unchecked")
    private String startPrometheus(Path binary, Path root, Map<String, List<Integer>> replicaPorts) throws Exception {
        Map<String, Object> config = new org.yaml.snakeyaml.Yaml().load(Files.readString(root.resolve(
                "deploy/prometheus/prometheus.yml")));
        config.put("global", Map.of("scrape_interval", "1s", "evaluation_interval", "1s"));
        config.put("rule_files", List.of(root.resolve("deploy/prometheus/rules/flotilla.yml").toString()));
        for (Object sc0 : (List<Object>) config.get("scrape_configs")) {
            Map<String, Object> sc = (Map<String, Object>) sc0;
            if (sc.containsKey("dns_sd_configs")) {
                Map<String, Object> dns = (Map<String, Object>) ((List<Object>) sc.remove("dns_sd_configs")).get(0);
                String name = String.valueOf(((List<Object>) dns.get("names")).get(0));
                sc.put("static_configs", List.of(Map.of("targets", replicaPorts.get(name).stream()
                        .map(p -> "127.0.0.1:" + p).toList())));
            } else {
                for (Object st : (List<Object>) sc.get("static_configs")) {
                    List<Object> targets = (List<Object>) ((Map<String, Object>) st).get("targets");
                    targets.replaceAll(t -> "127.0.0.1:" + replicaPorts.get(String.valueOf(t).split(":")[0]).get(0));
                }
            }
        }
        Path file = tmp.resolve("prometheus.yml");
        Files.writeString(file, new org.yaml.snakeyaml.Yaml().dump(config));
        int port = TestPorts.free();
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + file, "--storage.tsdb.path="
                + tmp.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        processes.add(p);
        String base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                URI.create(base + "/-/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        return base;
    }

    private JsonNode promQuery(String base, String query) throws Exception {
        return promGet(base, "/api/v1/query?query=" + java.net.URLEncoder.encode(query,
                java.nio.charset.StandardCharsets.UTF_8));
    }

    private JsonNode promGet(String base, String path) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The metric names in a PromQL expression (Flotilla's and Vert.x' own; {@code up} is Prometheus'). */
    static Set<String> metricNames(String promql) {
        Set<String> out = new LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b((?:flotilla|vertx)_[a-z0-9_]+)\\b")
                .matcher(promql);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
