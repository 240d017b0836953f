package dev.flotilla.protocol;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes and reads Flotilla events in Avro
 * <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>: the marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer's
 * schema, then the Avro binary body. The fingerprint tells a reader which event type the bytes hold and
 * with which schema version they were written, so one topic can carry several event types (as
 * {@link Topics#RESULTS} does) and old and new writers can coexist during a rolling upgrade.
 *
 * <p>The reader knows the current schema of every event type plus every released version under
 * {@code avro-history/} on the classpath; a record written with an older version is resolved into the
 * current generated class (fields added since then take their defaults). Bytes it cannot read raise
 * {@link UndecodableEventException}; a corrupt length prefix fails fast instead of making Avro allocate
 * the length it claims. Thread-safe.
 */
public final class EventSerde {

  private static final EventCodec CODEC = new EventCodec(SchemaHistory.loadAll());

  private EventSerde() {
  }

  /**
   * Encodes an event.
   *
   * @param event a generated event ({@code DirectoryPushed}, {@code DeploymentSetCreated},
   *     {@code MigrationCommand}, {@code MigrationProgress}, {@code MigrationResult} or {@code DeadLetter}
   *     from {@code dev.flotilla.protocol.avro}); not null
   * @return the single-object encoding; never null
   * @throws IllegalArgumentException if {@code event} is of another type or does not match its schema
   *     (e.g. a required field is null)
   */
  public static byte[] encode(SpecificRecord event) {
    return CODEC.encode(event);
  }

  /**
   * Decodes an event of whichever type the fingerprint in its header names.
   *
   * @param bytes a single-object-encoded event; not null
   * @return the event as an instance of its current generated class; never null
   * @throws UndecodableEventException if the bytes are not single-object encoded, the fingerprint matches
   *     no known schema version, or the body does not match the schema
   */
  public static SpecificRecord decode(byte[] bytes) {
    return CODEC.decode(bytes);
  }

  /**
   * Decodes an event that must be of the given type.
   *
   * @param bytes a single-object-encoded event; not null
   * @param type the expected generated class (or a supertype of it); not null
   * @param <T> the expected type
   * @return the event; never null
   * @throws UndecodableEventException as {@link #decode(byte[])}, and if the bytes hold another type
   */
  public static <T> T decode(byte[] bytes, Class<T> type) {
    return CODEC.decode(bytes, type);
  }

  /**
   * Returns the schema's CRC-64-AVRO fingerprint of its parsing canonical form: the value single-object
   * encoding writes after {@code C3 01} (little-endian). Documentation and custom properties do not
   * change it; names, field order and types do.
   *
   * @param schema the schema; not null
   * @return the 64-bit fingerprint
   */
  public static long fingerprint(Schema schema) {
    return EventCodec.fingerprint(schema);
  }
}
