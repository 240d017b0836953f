package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The history on the classpath is complete and in step with {@code src/main/avro}. */
class SchemaHistoryTest {

  @Test
  void everyEventTypeHasAReleasedVersion() {
    assertThat(SchemaHistory.loadAll()).containsOnlyKeys(SchemaHistory.EVENT_TYPES)
        .allSatisfy((type, versions) -> assertThat(versions).isNotEmpty());
  }

  @Test
  void theLatestReleasedVersionIsTheCurrentSchema() throws IOException {
    for (Class<? extends SpecificRecord> type : SchemaHistory.EVENT_TYPES) {
      List<Schema> versions = SchemaHistory.load(type.getSimpleName());
      Schema source = new Schema.Parser().parse(Path.of("src/main/avro", type.getSimpleName() + ".avsc").toFile());

      assertThat(versions.get(versions.size() - 1))
          .as("%s.avsc changed: add it as %s", type.getSimpleName(),
              SchemaHistory.resourcePath(type.getSimpleName(), versions.size() + 1))
          .isEqualTo(source);
      assertThat(EventSerde.fingerprint(SpecificData.get().getSchema(type))).isEqualTo(EventSerde.fingerprint(source));
    }
  }

  @Test
  void schemaVersionDefaultIsTheLatestReleasedVersionNumber() {
    for (Class<? extends SpecificRecord> type : SchemaHistory.EVENT_TYPES) {
      int released = SchemaHistory.load(type.getSimpleName()).size();
      Schema current = SpecificData.get().getSchema(type);

      assertThat(current.getField(Envelope.SCHEMA_VERSION).defaultVal()).as(type.getSimpleName()).isEqualTo(released);
    }
  }

  @Test
  void aRecordWithoutHistoryIsReportedWithTheFix() {
    assertThatIllegalStateException().isThrownBy(() -> SchemaHistory.load("NoSuchEvent"))
        .withMessageContaining("avro-history/NoSuchEvent/v1.avsc")
        .withMessageContaining("copy the released form");
  }
}
