package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward compatibility: the current schema of every event type can read every released version in
 * {@code avro-history/}, so a reader upgraded first still understands the records of writers not yet
 * upgraded (and the records already on the topics).
 */
class SchemaCompatibilityTest {

  static Stream<Arguments> releasedVersions() {
    return SchemaHistory.EVENT_TYPES.stream().flatMap(type -> {
      List<Schema> versions = SchemaHistory.load(type.getSimpleName());
      Schema current = SpecificData.get().getSchema(type);
      List<Arguments> pairs = new ArrayList<>();
      for (int v = 1; v <= versions.size(); v++) {
        pairs.add(Arguments.of(Named.of(type.getSimpleName() + " v" + v, versions.get(v - 1)), current));
      }
      return pairs.stream();
    });
  }

  @ParameterizedTest(name = "current reads {0}")
  @MethodSource("releasedVersions")
  void theCurrentSchemaReadsEveryReleasedVersion(Schema released, Schema current) {
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);

    assertThat(result.getType())
        .as("%s cannot read its released version: %s", current.getName(), result.getResult().getIncompatibilities())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void aNewRequiredFieldWithoutDefaultIsReportedIncompatible() {
    Schema released = SchemaHistory.load("MigrationCommand").get(0);
    Schema withRequiredField = withExtraField(released, new Schema.Field("region",
        Schema.create(Schema.Type.STRING), "added without a default"));

    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(withRequiredField, released);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    assertThat(result.getResult().getIncompatibilities())
        .anySatisfy(i -> assertThat(i.getMessage()).isEqualTo("region"));
  }

  @Test
  void theSameFieldWithADefaultIsReportedCompatible() {
    Schema released = SchemaHistory.load("MigrationCommand").get(0);
    Schema withOptionalField = withExtraField(released, new Schema.Field("region",
        Schema.create(Schema.Type.STRING), "added with a default", "eu-west-1"));

    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(withOptionalField, released);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void narrowingAFieldTypeIsReportedIncompatible() {
    Schema released = SchemaHistory.load("DeadLetter").get(0);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : released.getFields()) {
      Schema type = f.name().equals("offset") ? Schema.create(Schema.Type.INT) : f.schema();
      fields.add(new Schema.Field(f, type));
    }
    Schema narrowed = Schema.createRecord(released.getName(), null, released.getNamespace(), false, fields);

    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(narrowed, released).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  private static Schema withExtraField(Schema schema, Schema.Field extra) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(extra);
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }
}
