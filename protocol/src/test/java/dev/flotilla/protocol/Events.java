package dev.flotilla.protocol;

import dev.flotilla.protocol.avro.DeadLetter;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.FileLog;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated sample of every event type, for tests. */
final class Events {

  static final Instant T0 = Instant.ofEpochMilli(1_763_856_000_123L);
  static final String SET_ID = "6f1c2a8e-3b57-4d0e-9a51-0c4a1d2b7e90";
  static final String VERSION_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final String TARGET = Topics.targetId("prod", "tenant_1");

  private Events() {
  }

  static List<SpecificRecord> all() {
    return List.of(directoryPushed(), deploymentSetCreated(), migrationCommand(), migrationProgress(),
        migrationResult(), deadLetter());
  }

  static DirectoryPushed directoryPushed() {
    return DirectoryPushed.newBuilder()
        .setEventId("0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d01").setOccurredAt(T0)
        .setDirectory("db-per-tenant").setTag("v1.4.0").setVersionId(VERSION_ID)
        .setLatestVersion("20240301000000").setFileCount(3)
        .setArchiveBytes(48_128L)
        .setVersions(List.of("20240101000000", "20240201000000", "20240301000000"))
        .build();
  }

  static DeploymentSetCreated deploymentSetCreated() {
    return DeploymentSetCreated.newBuilder()
        .setEventId("0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d02").setOccurredAt(T0).setDeploymentSetId(SET_ID)
        .setEnv("prod").setDirectory("db-per-tenant").setVersionId(VERSION_ID).setTag("v1.4.0")
        .setTargetVersion(null).setPlanned(5000).setTrigger("PUSH").setDryRun(true)
        .build();
  }

  static MigrationCommand migrationCommand() {
    return MigrationCommand.newBuilder()
        .setEventId("0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d03").setOccurredAt(T0)
        .setDeploymentSetId(SET_ID).setTargetId(TARGET)
        .setCommandId("cmd-1").setEnv("prod").setDirectory("db-per-tenant").setVersionId(VERSION_ID)
        .setTargetVersion("20240301000000").setTargetName("tenant_1")
        .setRedactedUrl("postgres://app:xxxxx@db1:5432/tenant_1").setAttempt(2).setTxMode("file")
        .setBaseline(null).setIndex(0).setPlanned(5000)
        .build();
  }

  static MigrationProgress migrationProgress() {
    return MigrationProgress.newBuilder()
        .setEventId("0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d04").setOccurredAt(T0)
        .setDeploymentSetId(SET_ID).setTargetId(TARGET)
        .setCommandId("cmd-1").setAttempt(2).setFileName("20240101000000_init.sql")
        .setFileVersion("20240101000000").setState("FILE_DONE").setStatementsApplied(4).setStatementsTotal(4)
        .build();
  }

  static MigrationResult migrationResult() {
    FileLog failed = FileLog.newBuilder()
        .setName("20240301000000_add_email.sql").setVersion("20240301000000").setDescription("add_email")
        .setStartedAt(T0).setEndedAt(T0.plusMillis(20)).setSkipped(0)
        .setApplied(List.of("ALTER TABLE users ADD COLUMN email text"))
        .setErrorStmt("CREATE UNIQUE INDEX users_email ON users (email)")
        .setErrorText("pq: could not create unique index \"users_email\"")
        .build();
    return MigrationResult.newBuilder()
        .setEventId("0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d05").setOccurredAt(T0.plusMillis(25))
        .setDeploymentSetId(SET_ID).setTargetId(TARGET)
        .setCommandId("cmd-1").setAttempt(2).setEnv("prod").setDirectory("db-per-tenant")
        .setVersionId(VERSION_ID).setTargetName("tenant_1").setRedactedUrl("postgres://app:xxxxx@db1:5432/tenant_1")
        .setDatabaseId("5a0c9a6e-2f4d-4c3a-bb2e-1e0f9d8c7b6a").setStatus("FAILED")
        .setFromVersion("20240101000000").setToVersion("20240301000000").setCurrentVersion("20240101000000")
        .setFiles(List.of(failed))
        .setError("Error: sql/migrate: executing statement \"CREATE UNIQUE INDEX users_email ON users (email)\""
            + " from version \"20240301000000\": pq: could not create unique index \"users_email\"")
        .setErrorCode("STATEMENT_FAILED").setStartedAt(T0).setEndedAt(T0.plusMillis(25)).setWorkerId("worker-1")
        .build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setEventId("0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d06").setOccurredAt(T0)
        .setTopic(Topics.RESULTS).setPartition(7).setOffset(123_456_789_012L).setReason("undecodable")
        .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .build();
  }
}
