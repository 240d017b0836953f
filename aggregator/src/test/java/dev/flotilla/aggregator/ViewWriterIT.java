package dev.flotilla.aggregator;

import dev.flotilla.fabric.Database;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The views' write rules on the real PostgreSQL: idempotent, attempt-fenced, order-tolerant. */
class ViewWriterIT {
    private static final String SET = "11111111-1111-1111-1111-111111111111";
    private static final String TARGET = "prod/tenant_1";

    private ScratchDatabase store;
    private Database db;
    private Instant t0;

    @BeforeEach
    void setUp() {
        store = TestDatabases.postgresDatabase("views");
        db = Database.connect(store.jdbcUrl(), null, null, 2, "views-test");
        db.migrate(ViewSchema.DDL);
        t0 = Instant.now().minusSeconds(60);
    }

    @AfterEach
    void tearDown() {
        db.close();
        store.close();
    }

    private void apply(Object... events) throws Exception {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            JdbcViewWriter w = new JdbcViewWriter(c);
            for (Object e : events) {
                if (e instanceof MigrationResult) {
                    w.result((MigrationResult) e);
                } else if (e instanceof MigrationCommand) {
                    w.command((MigrationCommand) e);
                } else {
                    w.set((DeploymentSetCreated) e);
                }
            }
            c.commit();
        }
    }

    private JsonObject deployment() throws Exception {
        return new ViewQueries(db, Duration.ofMinutes(5)).deployment(SET, TARGET);
    }

    private JsonObject database() throws Exception {
        return new ViewQueries(db, Duration.ofMinutes(5)).database(TARGET);
    }

    @Test
    void aRedeliveredCommandsNoActionDoesNotHideTheRunThatDidTheWork() throws Exception {
        apply(set(2), command(), result("PASSED", 1, "2", 1));

        apply(result("NO_ACTION", 1, "2", 2));

        assertThat(deployment().getString("status")).isEqualTo("PASSED");
        assertThat(database().getString("status")).isEqualTo("SYNCED");
    }

    @Test
    void aNewerAttemptWinsAndAStaleOneIsIgnored() throws Exception {
        apply(set(2), command(), result("FAILED", 1, "1", 1));
        apply(result("PASSED", 2, "2", 3));

        apply(result("FAILED", 1, "1", 4));

        assertThat(deployment().getString("status")).isEqualTo("PASSED");
        assertThat(deployment().getInteger("attempt")).isEqualTo(2);
        assertThat(database().getString("currentVersion")).isEqualTo("2");
    }

    @Test
    void duplicateEventsChangeNothingAndAResultBeforeItsCommandIsKept() throws Exception {
        MigrationResult r = result("PASSED", 1, "2", 2);
        apply(r, r, command(), set(2), set(2), command());

        assertThat(deployment().getString("status")).isEqualTo("PASSED");
        assertThat(new ViewQueries(db, Duration.ofMinutes(5)).sets(null, null, null, new Page(1, 20))
                .getJsonArray("items")).hasSize(1);
        assertThat(database().getString("status")).isEqualTo("SYNCED");
    }

    @Test
    void aRunningSetWithoutEventsForTooLongIsReportedStalled() throws Exception {
        apply(set(2), command(), result("PASSED", 1, "2", 1));

        JsonObject fresh = new ViewQueries(db, Duration.ofMinutes(5)).set(SET, new Page(1, 20));
        JsonObject old = new ViewQueries(db, Duration.ofSeconds(1)).set(SET, new Page(1, 20));

        assertThat(fresh.getString("status")).isEqualTo("RUNNING");
        assertThat(fresh.getBoolean("stalled")).isFalse();
        assertThat(old.getBoolean("stalled")).isTrue();
        assertThat(new ViewQueries(db, Duration.ofSeconds(1)).sets("STALLED", null, null, new Page(1, 20))
                .getJsonArray("items")).hasSize(1);
    }

    private DeploymentSetCreated set(int planned) {
        return DeploymentSetCreated.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(t0)
                .setDeploymentSetId(SET).setEnv("prod").setDirectory("app").setVersionId("v").setTag("v2")
                .setTargetVersion("2").setPlanned(planned).setTrigger("PUSH").build();
    }

    private MigrationCommand command() {
        return MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(t0)
                .setDeploymentSetId(SET).setTargetId(TARGET).setCommandId(SET + "/0").setEnv("prod")
                .setDirectory("app").setVersionId("v").setTargetVersion("2").setTargetName("tenant_1")
                .setRedactedUrl("sqlite://tenant_1.db").setIndex(0).setPlanned(2).build();
    }

    private MigrationResult result(String status, int attempt, String current, int secondsAfter) {
        Instant at = t0.plusSeconds(secondsAfter);
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at)
                .setDeploymentSetId(SET).setTargetId(TARGET).setCommandId(SET + "/0").setAttempt(attempt)
                .setEnv("prod").setDirectory("app").setVersionId("v").setTargetName("tenant_1")
                .setRedactedUrl("sqlite://tenant_1.db").setStatus(status).setFromVersion("1").setToVersion("2")
                .setCurrentVersion(current).setFiles(List.of()).setStartedAt(at).setEndedAt(at).setWorkerId("w")
                .setError("FAILED".equals(status) ? "boom" : null).build();
    }
}
