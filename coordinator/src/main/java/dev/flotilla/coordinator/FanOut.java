package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.MigrationCommand;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Creates a deployment set and its commands: resolves the env's targets, then publishes the
 * {@link DeploymentSetCreated} and one {@link MigrationCommand} per target in one Kafka
 * transaction, so consumers see all of them or none. Blocking; one set at a time.
 */
final class FanOut {
    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);

    /**
     * A created set.
     *
     * @param id set id
     * @param planned number of targets
     */
    record Created(String id, int planned) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final ServiceStore db;

    FanOut(KafkaProducer<String, byte[]> producer, ServiceStore db) {
        this.producer = producer;
        this.db = db;
        db.migrate("CREATE TABLE IF NOT EXISTS coordinator_sets (id text PRIMARY KEY, env text NOT NULL,"
                + " directory text NOT NULL, version_id text NOT NULL, tag text, planned int NOT NULL,"
                + " trigger text NOT NULL, created_at timestamptz NOT NULL)");
    }

    /**
     * Publishes a set. {@code setId} is derived from the push and the env when a push triggers the
     * set, so a coordinator that dies after publishing and re-handles the push publishes the same
     * set again, which every consumer absorbs, rather than a second one.
     */
    synchronized Created deploy(String setId, EnvConfig env, DirectoryIndex.TagVersion v, String trigger,
            boolean dryRun) {
        List<Target> targets = env.targets().resolve();
        checkUnique(env, targets);
        Instant now = Instant.now();
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.DEPLOYMENTS, setId, EventSerde.encode(set(setId, env, v, targets,
                    trigger, dryRun, now))));
            for (int i = 0; i < targets.size(); i++) {
                MigrationCommand c = command(setId, env, v, targets.get(i), i, targets.size(), dryRun, now);
                producer.send(new ProducerRecord<>(Topics.COMMANDS, c.getTargetId(), EventSerde.encode(c)));
            }
            producer.commitTransaction();
        } catch (KafkaException e) {
            abort();
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "publishing deployment set for env \""
                    + env.name() + "\" failed, nothing was sent: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            abort(); // whatever broke the set, the transaction must not stay open for the next one
            throw e;
        }
        record(setId, env, v, targets.size(), trigger, now);
        LOG.info("deployment set {} for env {}: {} targets to version {} ({}:{})", setId, env.name(), targets.size(),
                v.latestVersion(), v.directory(), v.tag());
        return new Created(setId, targets.size());
    }

    /**
     * Publishes the set as FAILED, without targets, with {@code reason}: its fan-out kept failing.
     * The views show it with the reason; {@code flotilla migrate apply --env} starts a new one.
     *
     * @throws FlotillaException CONNECTION_FAILED when Kafka does not take it either
     */
    synchronized void failed(String setId, EnvConfig env, DirectoryIndex.TagVersion v, String trigger,
            String reason) {
        Instant now = Instant.now();
        DeploymentSetCreated set = DeploymentSetCreated.newBuilder(set(setId, env, v, List.of(), trigger, false, now))
                .setError(DatabaseUrl.redact(reason)).build();
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.DEPLOYMENTS, setId, EventSerde.encode(set)));
            producer.commitTransaction();
        } catch (KafkaException e) {
            abort();
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "publishing the failure of deployment set "
                    + setId + " for env \"" + env.name() + "\" failed: " + e.getMessage(), e);
        }
        record(setId, env, v, 0, trigger, now);
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.warn("aborting the Kafka transaction failed: {}", e.getMessage());
        }
    }

    private static void checkUnique(EnvConfig env, List<Target> targets) {
        Set<String> seen = new HashSet<>();
        for (Target t : targets) {
            if (!seen.add(t.name())) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "env \"" + env.name() + "\" lists target \""
                        + t.name() + "\" twice; target names must be unique within an env");
            }
        }
    }

    private static DeploymentSetCreated set(String setId, EnvConfig env, DirectoryIndex.TagVersion v,
            List<Target> targets, String trigger, boolean dryRun, Instant now) {
        return DeploymentSetCreated.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(now)
                .setDeploymentSetId(setId).setEnv(env.name()).setDirectory(v.directory()).setVersionId(v.versionId())
                .setTag(v.tag()).setTargetVersion(v.latestVersion()).setPlanned(targets.size()).setTrigger(trigger)
                .setDryRun(dryRun).build();
    }

    private static MigrationCommand command(String setId, EnvConfig env, DirectoryIndex.TagVersion v, Target t,
            int index, int planned, boolean dryRun, Instant now) {
        return MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(now)
                .setDeploymentSetId(setId).setTargetId(Topics.targetId(env.name(), t.name()))
                .setCommandId(setId + "/" + index).setEnv(env.name()).setDirectory(v.directory())
                .setVersionId(v.versionId()).setTargetVersion(v.latestVersion()).setTargetName(t.name())
                .setRedactedUrl(t.redactedUrl()).setAttempt(1).setDryRun(dryRun).setIndex(index)
                .setPlanned(planned).setBaseline(env.baseline()).setTxMode(env.txMode()).build();
    }

    /** The set id for a push-triggered deployment of {@code env}: the same for every re-handling of the push. */
    static String setIdFor(String pushEventId, String env) {
        return UUID.nameUUIDFromBytes((pushEventId + "/" + env).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    private void record(String setId, EnvConfig env, DirectoryIndex.TagVersion v, int planned, String trigger,
            Instant now) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO coordinator_sets"
                + " (id, env, directory, version_id, tag, planned, trigger, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, setId);
            ps.setString(2, env.name());
            ps.setString(3, v.directory());
            ps.setString(4, v.versionId());
            ps.setString(5, v.tag());
            ps.setInt(6, planned);
            ps.setString(7, trigger);
            ps.setTimestamp(8, Timestamp.from(now));
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("deployment set {} was published but not recorded in coordinator_sets: {}", setId, e.getMessage());
        }
    }
}
