package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The services' store and the database a {@code data "sql"} target query reads both refuse every
 * connection for 30 s (their backends terminated, {@code ALLOW_CONNECTIONS false}) while pushes
 * come in: readiness goes DOWN, pushes refused meanwhile succeed when sent again, the fan-out that
 * could not resolve its targets is retried, and afterwards every push has deployed, every view is
 * right and {@code flotilla verify} agrees.
 */
class StoreOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    /** The server's own database, where a superuser can close the others. */
    private String adminUrl;

    @Test
    void everyPushDeploysAcrossAStoreAndTargetQueryOutage() throws Exception {
        try (ScratchDatabase tenants = TestDatabases.postgresDatabase("tenants")) {
            adminUrl = tenants.jdbcUrl().replaceFirst("/" + tenants.name() + "(?=[?]|$)", "/postgres");
            tenants.exec("CREATE TABLE tenants (name text NOT NULL)",
                    "INSERT INTO tenants VALUES ('t1'), ('t2'), ('t3'), ('t4')");
            Path hcl = tmp.resolve("atlas.hcl");
            Files.writeString(hcl, "data \"sql\" \"tenants\" {\n  url   = \"" + tenants.url() + "\"\n"
                    + "  query = \"SELECT name FROM tenants ORDER BY name\"\n}\n"
                    + "env \"prod\" {\n  for_each = toset(data.sql.tenants.values)\n  url = \"sqlite://" + tmp
                    + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
            Path dir = tmp.resolve("migrations");
            FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
            try (FleetHarness fleet = new FleetHarness(hcl, 2)) {
                await().atMost(WAIT).until(fleet::ready);
                assertThat(fleet.push(dir, "app", "v1").path("status").asInt()).isEqualTo(201);
                await().atMost(WAIT).until(() -> synced(fleet, "1") == 4);

                refuse(tenants.name());
                FleetHarness.write(dir, "2_more.sql", "ALTER TABLE users ADD COLUMN name TEXT;\n");
                assertThat(fleet.push(dir, "app", "v2").path("status").asInt()).as("the store is still up")
                        .isEqualTo(201);
                refuse(fleet.store().name());
                AtomicBoolean sawDown = new AtomicBoolean();
                FleetHarness.write(dir, "3_most.sql", "CREATE INDEX users_name ON users (name);\n");
                long outageEnds = System.nanoTime() + OUTAGE.toNanos();
                await().atMost(OUTAGE.plusSeconds(30)).until(() -> {
                    var ready = fleet.send("GET", "/health/ready", null, null);
                    sawDown.compareAndSet(false, ready.statusCode() == 503
                            && ready.body().contains("\"store\":\"DOWN: the store is unreachable"));
                    return System.nanoTime() > outageEnds;
                });
                allow(tenants.name(), fleet.store().name());

                await().atMost(WAIT).ignoreExceptions().until(() -> pushAccepted(fleet, dir, "v3"));
                await().atMost(WAIT).until(() -> synced(fleet, "3") == 4);
                await().atMost(WAIT).until(() -> fleet.send("GET", "/health/ready", null, null).statusCode() == 200);

                assertThat(sawDown).as("/health/ready reported the store DOWN").isTrue();
                List<JsonNode> sets = fleet.sets();
                assertThat(sets).extracting(s -> s.path("tag").asText()).as("a set per push, none lost")
                        .containsExactlyInAnyOrder("v1", "v2", "v3");
                assertThat(sets).allSatisfy(s -> assertThat(s.path("status").asText()).as(s.toString())
                        .isIn("PASSED", "NO_ACTION"));
                assertThat(sets).filteredOn(s -> s.path("tag").asText().equals("v2")).singleElement()
                        .satisfies(s -> assertThat(s.path("total").asInt()).isEqualTo(4));
                StringWriter out = new StringWriter();
                int code = dev.flotilla.cli.Main.run(new String[] {"verify", "--env", "prod", "--config",
                    hcl.toString(), "--url", fleet.url(), "--token", fleet.token()}, new PrintWriter(out),
                    new PrintWriter(out));
                assertThat(out.toString()).contains("4 targets of env prod checked: the views agree");
                assertThat(code).isZero();
            }
        }
    }

    private static boolean pushAccepted(FleetHarness fleet, Path dir, String tag) throws Exception {
        int status = fleet.push(dir, "app", tag).path("status").asInt();
        return status == 201 || status == 200;
    }

    private static long synced(FleetHarness fleet, String version) throws Exception {
        return fleet.databases("prod").stream().filter(d -> "SYNCED".equals(d.path("status").asText())
                && d.path("currentVersion").asText().equals(version)).count();
    }

    /** The database refuses new connections and loses the ones it had. */
    private void refuse(String database) throws Exception {
        admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
    }

    private void allow(String... databases) throws Exception {
        for (String d : databases) {
            admin("ALTER DATABASE " + d + " ALLOW_CONNECTIONS true");
        }
    }

    private void admin(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }
}
