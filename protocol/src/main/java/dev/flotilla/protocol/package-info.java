/**
 * The wire contract of Flotilla: the Avro event types (generated into {@code dev.flotilla.protocol.avro}
 * from {@code src/main/avro/*.avsc}), the topic names and record keys ({@link dev.flotilla.protocol.Topics}),
 * the envelope every event starts with ({@link dev.flotilla.protocol.Envelope}) and the serde
 * ({@link dev.flotilla.protocol.EventSerde}) that writes and reads events in Avro single-object encoding.
 *
 * <p>This package has no runtime: it depends on Avro and the SLF4J API only, never on a Kafka client,
 * Vert.x or JDBC, so every service (and every tool reading a topic) can depend on it.
 *
 * <p><b>Evolving a schema.</b> Only backward-compatible changes are allowed (add a field with a default,
 * widen a type, drop a field the readers ignore). Before changing {@code src/main/avro/X.avsc}, its
 * released form already sits in {@code src/main/resources/avro-history/X/v<n>.avsc}; after changing it,
 * bump the default of {@code schemaVersion} and add the new form as {@code v<n+1>.avsc}.
 * {@code SchemaCompatibilityTest} fails the build when the current schema cannot read an older one.
 */
package dev.flotilla.protocol;
