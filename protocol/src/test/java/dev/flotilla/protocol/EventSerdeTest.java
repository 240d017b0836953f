package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.FileLog;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventSerdeTest {

  static Stream<SpecificRecord> events() {
    return Events.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void everyEventTypeSurvivesARoundTrip(SpecificRecord event) {
    byte[] bytes = EventSerde.encode(event);

    SpecificRecord decoded = EventSerde.decode(bytes);

    assertThat(decoded).isInstanceOf(event.getClass()).isEqualTo(event);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void headerIsC301ThenTheLittleEndianSchemaFingerprint(SpecificRecord event) {
    byte[] bytes = EventSerde.encode(event);

    assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(EventSerde.fingerprint(event.getSchema()));
  }

  @Test
  void decodePicksTheClassFromTheFingerprint() {
    byte[] progress = EventSerde.encode(Events.migrationProgress());
    byte[] result = EventSerde.encode(Events.migrationResult());

    assertThat(EventSerde.decode(progress)).isInstanceOf(MigrationProgress.class);
    assertThat(EventSerde.decode(result)).isInstanceOf(MigrationResult.class);
    assertThat(EventSerde.decode(result, MigrationResult.class).getFiles()).hasSize(1);
  }

  @Test
  void decodeAsTheWrongTypeNamesBothTypes() {
    byte[] progress = EventSerde.encode(Events.migrationProgress());

    assertThatThrownBy(() -> EventSerde.decode(progress, MigrationResult.class))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("expected dev.flotilla.protocol.avro.MigrationResult")
        .hasMessageContaining("is a dev.flotilla.protocol.avro.MigrationProgress");
  }

  @Test
  void bytesWithoutTheMarkerAreUndecodable() {
    byte[] json = "{\"status\":\"PASSED\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> EventSerde.decode(json))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("starts with 7B 22, expected C3 01");
  }

  @Test
  void bytesShorterThanTheHeaderAreUndecodable() {
    assertThatThrownBy(() -> EventSerde.decode(new byte[] {(byte) 0xC3, 0x01, 0x42}))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("3 bytes");
  }

  @Test
  void anUnknownFingerprintIsUndecodableAndNamedInHex() {
    byte[] bytes = EventSerde.encode(Events.migrationProgress());
    Arrays.fill(bytes, 2, 10, (byte) 0xAB);

    assertThatThrownBy(() -> EventSerde.decode(bytes))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("unknown schema fingerprint 0xABABABABABABABAB");
  }

  @Test
  void aTruncatedBodyIsUndecodable() {
    byte[] bytes = EventSerde.encode(Events.migrationResult());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

    assertThatThrownBy(() -> EventSerde.decode(truncated))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("cannot decode MigrationResult with schema fingerprint "
            + EventCodec.hex(EventSerde.fingerprint(MigrationResult.getClassSchema())))
        .hasMessageEndingWith("the body is truncated or corrupt: EOFException")
        .hasRootCauseInstanceOf(EOFException.class);
  }

  @Test
  void aCorruptBodyIsUndecodable() {
    byte[] bytes = EventSerde.encode(Events.migrationCommand());
    // the first body byte is schemaVersion; 0xFF... makes it an overlong varint
    Arrays.fill(bytes, 10, 20, (byte) 0xFF);

    assertThatThrownBy(() -> EventSerde.decode(bytes)).isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("cannot decode MigrationCommand");
  }

  @Test
  void aLengthPrefixLargerThanTheEventIsUndecodable() {
    byte[] bytes = EventSerde.encode(Events.migrationCommand());
    // body: schemaVersion (1 byte), then eventId's length (1 byte: 36 chars); claim ~1 GB instead
    ByteArrayOutputStream corrupt = new ByteArrayOutputStream();
    corrupt.write(bytes, 0, 11);
    corrupt.writeBytes(new byte[] {(byte) 0x80, (byte) 0xA8, (byte) 0xD6, (byte) 0xB9, 0x07}); // zigzag(1e9)
    corrupt.write(bytes, 12, bytes.length - 12);

    assertThatThrownBy(() -> EventSerde.decode(corrupt.toByteArray()))
        .isInstanceOf(UndecodableEventException.class)
        .hasMessageContaining("cannot decode MigrationCommand")
        .hasRootCauseInstanceOf(EOFException.class);
  }

  @Test
  void encodeRejectsARecordThatIsNotAnEvent() {
    FileLog fileLog = Events.migrationResult().getFiles().get(0);

    assertThatIllegalArgumentException().isThrownBy(() -> EventSerde.encode(fileLog))
        .withMessageContaining("dev.flotilla.protocol.avro.FileLog is not a Flotilla event type")
        .withMessageContaining("MigrationResult");
  }

  @Test
  void encodeRejectsANullRequiredField() {
    MigrationCommand command = Events.migrationCommand();
    command.setTargetName(null);

    assertThatIllegalArgumentException().isThrownBy(() -> EventSerde.encode(command))
        .withMessageContaining("cannot encode MigrationCommand")
        .withMessageContaining("targetName");
  }

  @Test
  void defaultsFillTheOptionalFields() {
    DeploymentSetCreated set = DeploymentSetCreated.newBuilder()
        .setEventId("e").setOccurredAt(Events.T0).setEnv("prod").setDirectory("d").setVersionId("v")
        .setTag("t").setPlanned(1).setTrigger("CLI").build();

    DeploymentSetCreated decoded = EventSerde.decode(EventSerde.encode(set), DeploymentSetCreated.class);

    assertThat(decoded.getSchemaVersion()).as("the current schema version, the default since v2").isEqualTo(2);
    assertThat(decoded.getDryRun()).isFalse();
    assertThat(decoded.getDeploymentSetId()).isNull();
    assertThat(decoded.getTargetVersion()).isNull();
  }
}
