package dev.flotilla.cli.dev;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flotilla.protocol.Topics;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rollout with a password in every target URL and a {@code -- atlas:sensitive} file, one of whose
 * statements fails with an error that quotes its literal: afterwards neither the password nor the
 * sensitive literals appear in any record of any event topic (the dead letters included), in any
 * view row, API answer, log line or metric, nor in the targets' own revisions rows.
 */
class SecretsIT {
    /** A password with every character that ends a URL part early: redaction must still cover all of it. */
    private static final String PASSWORD = "pw-Zebra/7731?x#y@z%q";
    private static final String PASSWORD_IN_URL = java.net.URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    private static final String LITERAL = "lit-Quokka-4410";
    private static final String LITERAL2 = "lit-Wombat-9902";

    @TempDir
    Path tmp;

    @Test
    void passwordsAndSensitiveLiteralsReachNoTopicViewAnswerLogOrMetric() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        try (ScratchDatabase tenants = TestDatabases.postgresDatabase("secrets")) {
            String url = tenants.url().replace("postgres://postgres@", "postgres://postgres:" + PASSWORD_IN_URL + "@");
            Path hcl = tmp.resolve("atlas.hcl");
            Files.writeString(hcl, "env \"prod\" {\n  for_each = toset([\"t1\", \"t2\", \"t3\"])\n  url ="
                    + " urlqueryset(\"" + url + "\", \"search_path\", each.value)\n  migration {\n"
                    + "    dir = \"atlas://app\"\n  }\n}\n");
            Path dir = tmp.resolve("migrations");
            FleetHarness.write(dir, "1_init.sql", "CREATE TABLE secrets (id int PRIMARY KEY, v text NOT NULL);\n");
            FleetHarness.write(dir, "2_secret.sql", "-- atlas:sensitive\n\nINSERT INTO secrets VALUES (1, '" + LITERAL
                    + "');\nINSERT INTO secrets VALUES (CAST('" + LITERAL2 + "' AS int), 'x');\n");
            try (FleetHarness fleet = new FleetHarness(hcl, 2)) {
                await().atMost(Duration.ofSeconds(60)).until(fleet::ready);
                fleet.push(dir, "app", "v1");
                await().atMost(Duration.ofSeconds(90)).until(() -> !fleet.sets().isEmpty()
                        && "FAILED".equals(fleet.sets().get(0).get("status").asText()));
                String setId = fleet.sets().get(0).get("id").asText();

                StringBuilder seen = new StringBuilder();
                seen.append(fleet.get("/api/v1/databases?pageSize=500")).append(fleet.get("/api/v1/deployment-sets"))
                        .append(fleet.set(setId)).append(fleet.deployment(setId, "prod/t1"))
                        .append(fleet.get("/api/v1/directories")).append(fleet.text("/metrics"))
                        .append(fleet.text("/health/ready")).append(fleet.get("/api/v1/dirs"))
                        .append(fleet.get("/api/v1/audit")).append(fleet.get("/api/v1/tokens"));
                assertThat(fleet.deployment(setId, "prod/t1").get("error").asText())
                        .as("the failure is still explained, the value the database quoted masked")
                        .contains("'(sensitive)'").contains("invalid input syntax for type integer: \"(sensitive)\"");
                seen.append(revisionRows(tenants));
                seen.append(viewRows(fleet.store()));
                seen.append(eventTopics(fleet.bootstrap()));
                logs.list.forEach(e -> seen.append(e.getFormattedMessage()).append('\n')
                        .append(e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()));

                assertThat(seen.toString()).contains("xxxxx").doesNotContain(PASSWORD).doesNotContain(PASSWORD_IN_URL)
                        .doesNotContain("Zebra").doesNotContain(LITERAL).doesNotContain(LITERAL2);
            }
        } finally {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        }
    }

    /** The targets' own atlas_schema_revisions rows: the failed file's error and error statement among them. */
    private static String revisionRows(ScratchDatabase tenants) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = tenants.connect(); Statement s = c.createStatement()) {
            for (String schema : List.of("t1", "t2", "t3")) {
                try (ResultSet rs = s.executeQuery("SELECT r::text FROM " + schema + ".atlas_schema_revisions r")) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        assertThat(out).as("the failed file's row is there to scan").contains("(sensitive)");
        return out.toString();
    }

    private static String viewRows(ScratchDatabase store) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = store.connect(); Statement s = c.createStatement()) {
            for (String table : List.of("agg_deployment_sets", "agg_deployments", "agg_files", "agg_databases",
                    "agg_directories", "agg_rollouts", "coordinator_rollouts", "coordinator_rollout_targets",
                    "notifier_deliveries", "notifier_attempts")) {
                try (ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        assertThat(out).as("the views have rows to scan").contains("t1");
        return out.toString();
    }

    /**
     * Every record of every topic, read up to each partition's end offset so none is missed, the
     * directories topic included: a push refers to its archive by version id, so no topic carries the
     * pushed files (the registry's store does).
     */
    private static String eventTopics(String bootstrap) {
        StringBuilder out = new StringBuilder();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.DIRECTORIES, Topics.DEPLOYMENTS, Topics.COMMANDS, Topics.RESULTS,
                    Topics.DEAD_LETTERS)) {
                c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            int records = 0;
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    records++;
                    out.append(new String(r.value(), StandardCharsets.ISO_8859_1)).append('\n');
                    if (r.key() != null) {
                        out.append(new String(r.key(), StandardCharsets.ISO_8859_1));
                    }
                }
            }
            // Offsets also count transaction markers, so the records read are fewer than the offsets passed.
            assertThat(records).as("records scanned (a push, a set, three commands, three results at least)")
                    .isGreaterThanOrEqualTo(1 + 1 + 3 + 3);
        }
        return out.toString();
    }
}
