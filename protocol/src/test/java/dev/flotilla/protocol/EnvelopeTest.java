package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

  @Test
  void everyEventStartsWithTheEnvelopeFieldsInOrder() {
    for (Class<? extends SpecificRecord> type : SchemaHistory.EVENT_TYPES) {
      List<String> names = SpecificData.get().getSchema(type).getFields().stream().map(Schema.Field::name).toList();

      assertThat(names.subList(0, Envelope.FIELDS.size())).as(type.getSimpleName()).isEqualTo(Envelope.FIELDS);
    }
  }

  @Test
  void envelopeFieldsHaveTheSameTypesAndDefaultsEverywhere() {
    for (Class<? extends SpecificRecord> type : SchemaHistory.EVENT_TYPES) {
      Schema schema = SpecificData.get().getSchema(type);

      assertThat(schema.getField(Envelope.SCHEMA_VERSION).schema().getType()).isEqualTo(Schema.Type.INT);
      assertThat(schema.getField(Envelope.EVENT_ID).schema().getType()).isEqualTo(Schema.Type.STRING);
      assertThat(schema.getField(Envelope.OCCURRED_AT).schema().getLogicalType())
          .isEqualTo(LogicalTypes.timestampMillis());
      for (String nullable : List.of(Envelope.DEPLOYMENT_SET_ID, Envelope.TARGET_ID)) {
        Schema.Field field = schema.getField(nullable);
        assertThat(field.schema().getTypes()).extracting(Schema::getType)
            .as("%s.%s", type.getSimpleName(), nullable).containsExactly(Schema.Type.NULL, Schema.Type.STRING);
        assertThat(field.defaultVal()).isEqualTo(JsonProperties.NULL_VALUE);
      }
    }
  }
}
