package dev.flotilla.protocol;

import dev.flotilla.protocol.avro.DeadLetter;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The event types Flotilla puts on its topics and every released version of their schemas.
 *
 * <p>Released versions live on the classpath as {@code avro-history/<RecordName>/v1.avsc},
 * {@code v2.avsc}, … (consecutive, starting at 1). A writer still running an older release produces
 * records with one of these schemas; registering them lets readers resolve such records into the
 * current generated class.
 */
final class SchemaHistory {

  /** Classpath folder of the released schema versions. */
  static final String ROOT = "avro-history";

  /** The top-level event types (records that travel on a topic on their own). */
  static final List<Class<? extends SpecificRecord>> EVENT_TYPES = List.of(
      DirectoryPushed.class,
      DeploymentSetCreated.class,
      MigrationCommand.class,
      MigrationProgress.class,
      MigrationResult.class,
      DeadLetter.class,
      RolloutChanged.class,
      EnvReachedVersion.class);

  private SchemaHistory() {
  }

  /**
   * Loads the released versions of every {@linkplain #EVENT_TYPES event type}.
   *
   * @return per event type, its released schemas, oldest first; never empty per type
   * @throws IllegalStateException if an event type has no {@code v1.avsc}
   */
  static Map<Class<? extends SpecificRecord>, List<Schema>> loadAll() {
    Map<Class<? extends SpecificRecord>, List<Schema>> all = new LinkedHashMap<>();
    for (Class<? extends SpecificRecord> type : EVENT_TYPES) {
      all.put(type, load(type.getSimpleName()));
    }
    return all;
  }

  /**
   * Loads {@code avro-history/<recordName>/v1.avsc}, {@code v2.avsc}, … up to the first missing version.
   *
   * @param recordName the record's simple name, e.g. {@code "MigrationResult"}
   * @return the released schemas, oldest first
   * @throws IllegalStateException if there is no {@code v1.avsc} for the record
   */
  static List<Schema> load(String recordName) {
    List<Schema> versions = new ArrayList<>();
    for (int v = 1; ; v++) {
      String path = resourcePath(recordName, v);
      try (InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          break;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history " + path, e);
      }
    }
    if (versions.isEmpty()) {
      throw new IllegalStateException("no " + resourcePath(recordName, 1) + " on the classpath: copy the"
          + " released form of " + recordName + ".avsc there before changing the schema");
    }
    return List.copyOf(versions);
  }

  /**
   * Returns the classpath location of one released version.
   *
   * @param recordName the record's simple name
   * @param version the version, starting at 1
   * @return e.g. {@code "avro-history/MigrationResult/v1.avsc"}
   */
  static String resourcePath(String recordName, int version) {
    return ROOT + "/" + recordName + "/v" + version + ".avsc";
  }
}
