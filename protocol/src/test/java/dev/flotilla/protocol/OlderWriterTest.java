package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * A record written by an older release, whose schema lacks fields the current one added with defaults,
 * decodes into the current class once that older schema is part of the history.
 */
class OlderWriterTest {

  /** DeploymentSetCreated as an imaginary earlier release wrote it: no targetVersion, no dryRun. */
  private static final Schema OLDER = new Schema.Parser().parse("""
      {"type": "record", "name": "DeploymentSetCreated", "namespace": "dev.flotilla.protocol.avro",
       "fields": [
         {"name": "schemaVersion", "type": "int", "default": 0},
         {"name": "eventId", "type": "string"},
         {"name": "occurredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
         {"name": "deploymentSetId", "type": ["null", "string"], "default": null},
         {"name": "targetId", "type": ["null", "string"], "default": null},
         {"name": "env", "type": "string"},
         {"name": "directory", "type": "string"},
         {"name": "versionId", "type": "string"},
         {"name": "tag", "type": "string"},
         {"name": "planned", "type": "int"},
         {"name": "trigger", "type": "string"}
       ]}""");

  @Test
  void aRecordOfARegisteredOlderVersionDecodesIntoTheCurrentClass() throws IOException {
    EventCodec codec = new EventCodec(historyWithOlderDeploymentSetCreated());

    SpecificRecord decoded = codec.decode(olderRecord());

    assertThat(decoded).isInstanceOf(DeploymentSetCreated.class);
    DeploymentSetCreated set = (DeploymentSetCreated) decoded;
    assertThat(set.getSchemaVersion()).isZero();
    assertThat(set.getOccurredAt()).isEqualTo(Events.T0);
    assertThat(set.getDeploymentSetId()).isEqualTo(Events.SET_ID);
    assertThat(set.getPlanned()).isEqualTo(42);
    assertThat(set.getTargetVersion()).as("added later, default null").isNull();
    assertThat(set.getDryRun()).as("added later, default false").isFalse();
  }

  @Test
  void aDirectoryPushedOfVersion1WithTheArchiveInsideDecodesWithoutIt() throws IOException {
    Schema v1 = SchemaHistory.load("DirectoryPushed").get(0);
    GenericRecord record = new GenericData.Record(v1);
    record.put("schemaVersion", 1);
    record.put("eventId", "0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d98");
    record.put("occurredAt", Events.T0.toEpochMilli());
    record.put("directory", "db-per-tenant");
    record.put("tag", "v1");
    record.put("versionId", Events.VERSION_ID);
    record.put("fileCount", 2);
    record.put("archive", java.nio.ByteBuffer.wrap(new byte[4096]));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(record, out);

    DirectoryPushed pushed = EventSerde.decode(out.toByteArray(), DirectoryPushed.class);

    assertThat(pushed.getSchemaVersion()).isEqualTo(1);
    assertThat(pushed.getVersionId()).isEqualTo(Events.VERSION_ID);
    assertThat(pushed.getFileCount()).isEqualTo(2);
    assertThat(pushed.getArchiveBytes()).as("not known in version 1: default 0").isZero();
  }

  @Test
  void aDirectoryPushedOfVersion2DecodesWithAnEmptyVersionList() throws IOException {
    Schema v2 = SchemaHistory.load("DirectoryPushed").get(1);
    GenericRecord record = new GenericData.Record(v2);
    record.put("schemaVersion", 2);
    record.put("eventId", "0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d97");
    record.put("occurredAt", Events.T0.toEpochMilli());
    record.put("directory", "db-per-tenant");
    record.put("tag", "v2");
    record.put("versionId", Events.VERSION_ID);
    record.put("latestVersion", "20240301000000");
    record.put("fileCount", 3);
    record.put("archiveBytes", 48_128L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(record, out);

    DirectoryPushed pushed = EventSerde.decode(out.toByteArray(), DirectoryPushed.class);

    assertThat(pushed.getSchemaVersion()).isEqualTo(2);
    assertThat(pushed.getLatestVersion()).isEqualTo("20240301000000");
    assertThat(pushed.getArchiveBytes()).isEqualTo(48_128L);
    assertThat(pushed.getVersions()).as("not known in version 2: default empty").isEmpty();
  }

  @Test
  void aRecordOfAnUnregisteredOlderVersionIsUndecodable() throws IOException {
    byte[] bytes = olderRecord();

    assertThatThrownBy(() -> EventSerde.decode(bytes))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("unknown schema fingerprint " + EventCodec.hex(EventSerde.fingerprint(OLDER)));
  }

  private static Map<Class<? extends SpecificRecord>, List<Schema>> historyWithOlderDeploymentSetCreated() {
    Map<Class<? extends SpecificRecord>, List<Schema>> history = new LinkedHashMap<>();
    SchemaHistory.loadAll().forEach((type, versions) -> history.put(type, new ArrayList<>(versions)));
    history.get(DeploymentSetCreated.class).add(0, OLDER);
    return history;
  }

  private static byte[] olderRecord() throws IOException {
    GenericRecord record = new GenericData.Record(OLDER);
    record.put("schemaVersion", 0);
    record.put("eventId", "0b8e0b55-56a4-4c1b-8f0a-4a4e3b0c1d99");
    record.put("occurredAt", Events.T0.toEpochMilli());
    record.put("deploymentSetId", Events.SET_ID);
    record.put("env", "prod");
    record.put("directory", "db-per-tenant");
    record.put("versionId", Events.VERSION_ID);
    record.put("tag", "v1.3.0");
    record.put("planned", 42);
    record.put("trigger", "PUSH");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), OLDER).encode(record, out);
    return out.toByteArray();
  }
}
