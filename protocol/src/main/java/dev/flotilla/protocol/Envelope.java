package dev.flotilla.protocol;

import java.util.List;

/**
 * The fields every Flotilla event starts with, in this order, named once here.
 *
 * <ul>
 *   <li>{@value #SCHEMA_VERSION} (int, default 1): the version of the record's schema the writer used;</li>
 *   <li>{@value #EVENT_ID} (string): a random UUID, unique per event, for deduplication;</li>
 *   <li>{@value #OCCURRED_AT} (timestamp-millis): when the event happened;</li>
 *   <li>{@value #DEPLOYMENT_SET_ID} (nullable string): the deployment set the event belongs to;</li>
 *   <li>{@value #TARGET_ID} (nullable string): the {@linkplain Topics#targetId target} it is about.</li>
 * </ul>
 */
public final class Envelope {

  /** Name of the schema version field. */
  public static final String SCHEMA_VERSION = "schemaVersion";
  /** Name of the event id field. */
  public static final String EVENT_ID = "eventId";
  /** Name of the occurrence timestamp field. */
  public static final String OCCURRED_AT = "occurredAt";
  /** Name of the deployment set id field. */
  public static final String DEPLOYMENT_SET_ID = "deploymentSetId";
  /** Name of the target id field. */
  public static final String TARGET_ID = "targetId";

  /** The envelope field names, in the order they open every event schema. */
  public static final List<String> FIELDS =
      List.of(SCHEMA_VERSION, EVENT_ID, OCCURRED_AT, DEPLOYMENT_SET_ID, TARGET_ID);

  private Envelope() {
  }
}
