package dev.flotilla.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avro single-object encoding for a fixed set of event types and their older schema versions: the
 * instance behind {@link EventSerde}. Thread-safe once constructed.
 */
final class EventCodec {

  /** Length of the single-object header: marker {@code C3 01} plus the 8-byte fingerprint. */
  static final int HEADER_LENGTH = 10;

  private static final Logger LOG = LoggerFactory.getLogger(EventCodec.class);

  private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new HashMap<>();
  private final Map<Long, Decoding> decodings = new HashMap<>();

  /** How to read one writer schema: the current type it resolves into and that type's decoder. */
  private record Decoding(Class<? extends SpecificRecord> type, Schema writer,
      BinaryMessageDecoder<SpecificRecord> decoder) {
  }

  /**
   * Creates a codec for the given event types.
   *
   * @param history per event type, the older writer schemas it must read (may include the current one)
   * @throws IllegalStateException if two types share a schema fingerprint
   */
  EventCodec(Map<Class<? extends SpecificRecord>, List<Schema>> history) {
    history.forEach(this::register);
    LOG.debug("Event codec knows {} event types, {} schema fingerprints", encoders.size(), decodings.size());
  }

  private void register(Class<? extends SpecificRecord> type, List<Schema> writerSchemas) {
    SpecificData model = SpecificData.getForClass(type);
    Schema current = model.getSchema(type);
    encoders.put(type, new BinaryMessageEncoder<>(model, current));
    BinaryMessageDecoder<SpecificRecord> decoder = new BinaryMessageDecoder<>(model, current);
    index(new Decoding(type, current, decoder));
    for (Schema writer : writerSchemas) {
      decoder.addSchema(writer);
      index(new Decoding(type, writer, decoder));
    }
  }

  private void index(Decoding decoding) {
    long fingerprint = fingerprint(decoding.writer());
    Decoding previous = decodings.putIfAbsent(fingerprint, decoding);
    if (previous != null && previous.type() != decoding.type()) {
      throw new IllegalStateException("schema fingerprint " + hex(fingerprint) + " is claimed by both "
          + previous.type().getName() + " and " + decoding.type().getName());
    }
  }

  /** See {@link EventSerde#encode(SpecificRecord)}. */
  byte[] encode(SpecificRecord event) {
    Objects.requireNonNull(event, "event");
    BinaryMessageEncoder<SpecificRecord> encoder = encoders.get(event.getClass());
    if (encoder == null) {
      throw new IllegalArgumentException(event.getClass().getName()
          + " is not a Flotilla event type; encode one of " + typeNames());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encoder.encode(event, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot encode " + event.getSchema().getName()
          + ", it does not match its schema: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** See {@link EventSerde#decode(byte[])}. */
  SpecificRecord decode(byte[] bytes) {
    return decode(bytes, SpecificRecord.class);
  }

  /** See {@link EventSerde#decode(byte[], Class)}. */
  <T> T decode(byte[] bytes, Class<T> type) {
    Objects.requireNonNull(type, "type");
    long fingerprint = fingerprintOf(bytes);
    Decoding decoding = decodings.get(fingerprint);
    if (decoding == null) {
      throw new UndecodableEventException("unknown schema fingerprint " + hex(fingerprint)
          + ": no version of " + typeNames() + " has it; is the writer newer than this reader?");
    }
    if (!type.isAssignableFrom(decoding.type())) {
      throw new UndecodableEventException("expected " + type.getName() + " but schema fingerprint "
          + hex(fingerprint) + " is a " + decoding.type().getName());
    }
    try {
      skipBody(bytes, decoding.writer());
      return type.cast(decoding.decoder().decode(bytes));
    } catch (IOException | RuntimeException e) {
      throw new UndecodableEventException("cannot decode " + decoding.type().getSimpleName()
          + " with schema fingerprint " + hex(fingerprint) + ", the body is truncated or corrupt: "
          + rootCause(e), e);
    }
  }

  /**
   * Walks the body with the writer's schema without materialising it, so a corrupt length prefix fails
   * with an {@link java.io.EOFException} here instead of making the decoder allocate up to 2 GiB for it.
   */
  private static void skipBody(byte[] bytes, Schema writer) throws IOException {
    GenericDatumReader.skip(writer,
        DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null));
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * Reads the schema fingerprint from a single-object-encoded header, checking the header first.
   *
   * @param bytes the encoded event
   * @return the CRC-64-AVRO fingerprint of the writer's schema
   * @throws UndecodableEventException if {@code bytes} is shorter than the header or lacks {@code C3 01}
   */
  static long fingerprintOf(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < HEADER_LENGTH) {
      throw new UndecodableEventException("not an Avro single-object-encoded event: " + bytes.length
          + " bytes, the header alone takes " + HEADER_LENGTH);
    }
    if (bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
      throw new UndecodableEventException(String.format(
          "not an Avro single-object-encoded event: starts with %02X %02X, expected C3 01", bytes[0], bytes[1]));
    }
    return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** See {@link EventSerde#fingerprint(Schema)}. */
  static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(Objects.requireNonNull(schema, "schema"));
  }

  /**
   * Formats a fingerprint for messages.
   *
   * @param fingerprint the fingerprint
   * @return e.g. {@code "0x8F1D3A0B5C6E7F21"}
   */
  static String hex(long fingerprint) {
    return String.format("0x%016X", fingerprint);
  }

  private String typeNames() {
    return encoders.keySet().stream().map(Class::getSimpleName).sorted().toList().toString();
  }
}
