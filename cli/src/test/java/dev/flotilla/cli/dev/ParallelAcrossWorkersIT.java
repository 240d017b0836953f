package dev.flotilla.cli.dev;

import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A staged group's {@code parallel} is a limit across every worker, counted where it matters: at the
 * tenant databases. Three worker processes of 4 threads each (12 slots) apply a group of
 * {@code parallel = 3} and then one of {@code parallel = 2}; every tenant's migration writes the
 * wall-clock times it ran between into a shared table, and no moment has more of a group applying
 * than its limit.
 */
class ParallelAcrossWorkersIT {
    private static final int WAVE = 12;
    private static final int TAIL = 6;

    @TempDir
    Path tmp;

    @Test
    void aGroupsParallelLimitHoldsAtTheTargetsAcrossThreeWorkers() throws Exception {
        try (ScratchDatabase db = TestDatabases.postgresDatabase("parallel")) {
            List<String> tenants = new ArrayList<>();
            for (int i = 1; i <= WAVE; i++) {
                tenants.add(String.format("w%02d", i));
            }
            for (int i = 1; i <= TAIL; i++) {
                tenants.add(String.format("x%02d", i));
            }
            db.exec("CREATE TABLE public.applies (tenant text PRIMARY KEY, started timestamptz, ended timestamptz)");
            Path hcl = tmp.resolve("atlas.hcl");
            Files.writeString(hcl, """
                    locals {
                      tenants = [%s]
                    }
                    deployment "waves" {
                      variable "name" {
                        type = string
                      }
                      group "wave" {
                        match    = startswith(var.name, "w")
                        parallel = 3
                      }
                      group "tail" {
                        parallel   = 2
                        depends_on = [group.wave]
                      }
                    }
                    env "prod" {
                      for_each = toset(local.tenants)
                      url      = urlqueryset("%s", "search_path", each.value)
                      migration {
                        dir = "atlas://app"
                      }
                      rollout {
                        deployment = deployment.waves
                        vars = {
                          name = each.value
                        }
                      }
                    }
                    """.formatted(tenants.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")),
                    db.url()));
            Path dir = tmp.resolve("migrations");
            FleetHarness.write(dir, "1_init.sql", """
                    CREATE TABLE marker (started timestamptz DEFAULT clock_timestamp());
                    INSERT INTO marker DEFAULT VALUES;
                    SELECT pg_sleep(0.25);
                    INSERT INTO public.applies SELECT current_schema(), started, clock_timestamp() FROM marker;
                    """);
            try (FleetHarness fleet = new FleetHarness(hcl, 4);
                 DevServer second = fleet.extraWorker(hcl, 4);
                 DevServer third = fleet.extraWorker(hcl, 4)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> fleet.ready() && second.ready() && third.ready()
                        && fleet.activeWorkers() == 3);

                fleet.push(dir, "app", "v1");

                await().atMost(Duration.ofSeconds(90)).until(() -> !fleet.sets().isEmpty()
                        && "PASSED".equals(fleet.sets().get(0).get("status").asText()));
                Map<String, Interval> ran = applies(db);
                assertThat(ran).hasSize(WAVE + TAIL);
                Map<String, Interval> wave = new TreeMap<>(ran);
                wave.keySet().removeIf(t -> !t.startsWith("w"));
                Map<String, Interval> tail = new TreeMap<>(ran);
                tail.keySet().removeIf(t -> !t.startsWith("x"));

                assertThat(mostAtOnce(wave.values())).as("wave, parallel = 3: " + wave).isLessThanOrEqualTo(3)
                        .as("the wave ran side by side, not one by one").isGreaterThanOrEqualTo(2);
                assertThat(mostAtOnce(tail.values())).as("tail, parallel = 2: " + tail).isLessThanOrEqualTo(2);
                Instant waveEnd = wave.values().stream().map(Interval::ended).max(Instant::compareTo).orElseThrow();
                assertThat(tail.values()).allSatisfy(i -> assertThat(i.started()).as("tail after the wave")
                        .isAfterOrEqualTo(waveEnd));
            }
        }
    }

    private record Interval(Instant started, Instant ended) {
    }

    /** The most intervals open at one moment. */
    private static int mostAtOnce(java.util.Collection<Interval> runs) {
        List<long[]> edges = new ArrayList<>();
        for (Interval i : runs) {
            edges.add(new long[] {toMicros(i.started()), 1});
            edges.add(new long[] {toMicros(i.ended()), -1});
        }
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1])); // ends first
        int open = 0;
        int most = 0;
        for (long[] e : edges) {
            open += (int) e[1];
            most = Math.max(most, open);
        }
        return most;
    }

    private static long toMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    private static Map<String, Interval> applies(ScratchDatabase db) throws SQLException {
        Map<String, Interval> out = new TreeMap<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT tenant, started, ended FROM public.applies")) {
            while (rs.next()) {
                out.put(rs.getString(1), new Interval(rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant()));
            }
        }
        return out;
    }
}
