package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Directories of any size the registry accepts roll out: a seed-data migration of 2, 20 and
 * 60 MiB of INSERTs, each pushed to a directory of its own and followed by a small push on top,
 * deploys to every target at each version. A push is announced by reference (the event stays a
 * few hundred bytes), each worker fetches each version once from the registry however many targets
 * run it, and the results stay within Kafka's default record size.
 */
class BigDirectoriesIT {
    private static final int[] MIB = {2, 20, 60};
    private static final List<String> TENANTS = List.of("t1", "t2", "t3");
    /** One INSERT of the seed file carries this much text. */
    private static final int ROW_CHARS = 256 * 1024;
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    Path tmp;

    @Test
    void directoriesOf2And20And60MiBDeployEverywhereAndSoDoTheSmallPushesAfterThem() throws Exception {
        Path hcl = projectFile();
        List<String> rows = new ArrayList<>();
        try (FleetHarness fleet = new FleetHarness(hcl, 4)) {
            await().atMost(WAIT).until(fleet::ready);
            for (int mib : MIB) {
                String env = "big" + mib;
                Path dir = tmp.resolve("migrations-" + mib);
                FleetHarness.write(dir, "1_init.sql", "CREATE TABLE seed (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);\n");
                seed(dir, mib);
                rows.add(rollOut(fleet, env, dir, "v1", "2", mib + " MiB seed"));
                FleetHarness.write(dir, "3_index.sql", "CREATE INDEX seed_payload ON seed (substr(payload, 1, 8));\n");
                rows.add(rollOut(fleet, env, dir, "v2", "3", "small push on top"));
                for (String t : TENANTS) {
                    assertThat(count(env, t, "SELECT count(*) FROM seed")).as(env + "/" + t)
                            .isEqualTo(mib * 1024L * 1024 / ROW_CHARS);
                }
            }
            String metrics = fleet.text("/metrics");
            assertThat(metric(metrics, "flotilla_worker_directory_fetches_total"))
                    .as("each version fetched once, for its three targets together").isEqualTo(2.0 * MIB.length);
            assertThat(metric(metrics, "flotilla_registry_outbox_pending")).isZero();
            assertThat(largestRecord(fleet.bootstrap(), Topics.DIRECTORIES)).as("a push is announced by reference")
                    .isLessThan(1024);
            assertThat(largestRecord(fleet.bootstrap(), Topics.RESULTS)).as("results fit Kafka's default record size")
                    .isLessThan(1024 * 1024);
        }
        System.out.printf("%n| directory | push | files | push answered | all %d targets SYNCED |%n|---|---|---|---|---|%n",
                TENANTS.size());
        rows.forEach(System.out::println);
    }

    /** Pushes {@code dir} as {@code env:tag} and waits until every target of the env is SYNCED at {@code version}. */
    private String rollOut(FleetHarness fleet, String env, Path dir, String tag, String version, String what)
            throws Exception {
        long t0 = System.nanoTime();
        JsonNode pushed = fleet.push(dir, env, tag);
        long answered = System.nanoTime();
        assertThat(pushed.path("status").asInt()).as(pushed.toString()).isEqualTo(201);
        assertThat(pushed.path("announced").asBoolean()).as(pushed.toString()).isTrue();
        await().atMost(WAIT).until(() -> fleet.databases(env).stream().filter(d -> "SYNCED".equals(
                d.path("status").asText()) && version.equals(d.path("currentVersion").asText())).count()
                == TENANTS.size());
        long synced = System.nanoTime();
        long bytes = Files.walk(dir).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        return String.format(Locale.ROOT, "| %s:%s | %s | %.1f MiB | %d ms | %d ms |", env, tag, what,
                bytes / 1048576.0, (answered - t0) / 1_000_000, (synced - t0) / 1_000_000);
    }

    /** {@code 2_seed.sql}: {@code mib} MiB of INSERTs of {@link #ROW_CHARS} characters each. */
    private static void seed(Path dir, int mib) throws IOException {
        int rows = (int) (mib * 1024L * 1024 / ROW_CHARS);
        String pad = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(ROW_CHARS / 36 + 1).substring(0, ROW_CHARS - 64);
        try (Writer w = Files.newBufferedWriter(dir.resolve("2_seed.sql"), StandardCharsets.UTF_8)) {
            for (int i = 1; i <= rows; i++) {
                w.write("INSERT INTO seed (id, payload) VALUES (" + i + ", '" + i + "-" + pad + "');\n");
            }
        }
        MigrationDirectory.open(dir).writeSum(dir);
    }

    private Path projectFile() throws IOException {
        StringBuilder hcl = new StringBuilder();
        for (int mib : MIB) {
            hcl.append("env \"big").append(mib).append("\" {\n  for_each = toset([\"")
                    .append(String.join("\", \"", TENANTS)).append("\"])\n  url = \"sqlite://").append(tmp)
                    .append("/big").append(mib).append("_${each.value}.db\"\n  migration {\n    dir = \"atlas://big")
                    .append(mib).append("\"\n  }\n}\n");
        }
        return Files.writeString(tmp.resolve("atlas.hcl"), hcl);
    }

    private long count(String env, String tenant, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(env + "_" + tenant + ".db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(2)) : -1;
    }

    /** The largest record value on a topic, read from the start. */
    private static int largestRecord(String bootstrap, String topic) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(KafkaSettings.plain(bootstrap),
                null, "big-directories-it"))) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            int largest = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    largest = Math.max(largest, r.value().length);
                }
            }
            return largest;
        }
    }
}
