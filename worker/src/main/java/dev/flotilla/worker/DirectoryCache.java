package dev.flotilla.worker;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DirectoryPushed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.Hashes;
import dev.flotilla.migrate.FlotillaException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every pushed directory version, read from the compacted {@code flotilla.directories} topic, so a
 * worker needs nothing but Kafka to know what a command's version contains. Each version is split
 * into statements once per dialect and reused for every target. A version is taken only if its
 * archive's SHA-256 is its version id and its {@code atlas.sum} checks; anything else on the topic
 * (forged, or corrupted on the way) is refused, and commands for it fail at once with the reason.
 */
final class DirectoryCache {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryCache.class);

    private final Map<String, MigrationDirectory> versions = new ConcurrentHashMap<>();
    private final Map<String, PreparedDirectory> prepared = new ConcurrentHashMap<>();
    private final Map<String, List<Promise<MigrationDirectory>>> waiting = new ConcurrentHashMap<>();
    /** Versions whose record was refused, with why; a good record for the same id replaces the refusal. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private KafkaConsumer<String, byte[]> consumer;

    Future<Void> start(Vertx vertx, KafkaSettings kafka, String clientId) {
        consumer = KafkaConsumer.create(vertx, KafkaClients.strings(KafkaClients.consumer(kafka, null, clientId)));
        consumer.handler(r -> add(r.value()));
        TopicPartition tp = new TopicPartition(Topics.DIRECTORIES, 0);
        return consumer.assign(tp).compose(v -> consumer.seekToBeginning(tp));
    }

    private void add(byte[] value) {
        DirectoryPushed e;
        try {
            e = EventSerde.decode(value, DirectoryPushed.class);
        } catch (RuntimeException ex) {
            LOG.warn("skipping an unreadable record on {}: {}", Topics.DIRECTORIES, ex.getMessage());
            return;
        }
        String id = e.getVersionId();
        try {
            MigrationDirectory dir = verified(e);
            versions.put(id, dir);
            refused.remove(id);
            List<Promise<MigrationDirectory>> ws = waiting.remove(id);
            if (ws != null) {
                ws.forEach(p -> p.tryComplete(dir));
            }
        } catch (RuntimeException ex) {
            if (versions.containsKey(id)) {
                LOG.warn("ignoring a second record for directory version {}: {}", id, ex.getMessage());
                return;
            }
            String why = "directory version " + id + " of \"" + e.getDirectory() + "\" was refused: " + ex.getMessage();
            LOG.warn("{}", why);
            refused.put(id, why);
            List<Promise<MigrationDirectory>> ws = waiting.remove(id);
            if (ws != null) {
                ws.forEach(p -> p.tryFail(new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, why)));
            }
        }
    }

    /** The record's directory, if its archive is the version its id names and its atlas.sum checks. */
    private static MigrationDirectory verified(DirectoryPushed e) {
        byte[] archive = new byte[e.getArchive().remaining()];
        e.getArchive().duplicate().get(archive);
        String actual = Hashes.sha256Hex(archive);
        if (!actual.equals(e.getVersionId())) {
            throw new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "its archive's SHA-256 is " + actual
                    + ", not the version id; forged or corrupted, so nothing of it runs");
        }
        MigrationDirectory dir = MigrationDirectory.fromArchive(archive);
        dir.validate();
        return dir;
    }

    /** The version, once it has been read from the topic; failed at once if its record was refused. */
    Future<MigrationDirectory> get(String versionId) {
        MigrationDirectory d = versions.get(versionId);
        if (d != null) {
            return Future.succeededFuture(d);
        }
        Promise<MigrationDirectory> p = Promise.promise();
        waiting.computeIfAbsent(versionId, k -> new CopyOnWriteArrayList<>()).add(p);
        settle(versionId, p); // it may have been read, or refused, while this promise was registered
        return p.future();
    }

    private void settle(String versionId, Promise<MigrationDirectory> p) {
        MigrationDirectory d = versions.get(versionId);
        String why = refused.get(versionId);
        if (d != null) {
            p.tryComplete(d);
        } else if (why != null) {
            p.tryFail(new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, why));
        }
    }

    /**
     * The version, waiting on the calling (JDBC) thread until it has been read from the topic.
     *
     * @throws FlotillaException NOT_FOUND when it has not arrived within {@code timeout}
     */
    MigrationDirectory await(String versionId, Duration timeout) {
        MigrationDirectory d = versions.get(versionId);
        if (d != null) {
            return d;
        }
        try {
            return get(versionId).toCompletionStage().toCompletableFuture().get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FlotillaException(ErrorCode.NOT_FOUND, "directory version " + versionId + " has not"
                    + " arrived on " + Topics.DIRECTORIES + " within " + timeout.toSeconds() + " s; check that"
                    + " this worker reaches Kafka and that the version was pushed (flotilla migrate push)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlotillaException(ErrorCode.INTERNAL, "interrupted while waiting for directory version "
                    + versionId);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FlotillaException fe) {
                throw fe;
            }
            throw new FlotillaException(ErrorCode.INTERNAL, "reading directory version " + versionId + " failed: "
                    + e.getCause(), e.getCause());
        }
    }

    /** The version split for a dialect; blocking the first time (parsing), cached after. */
    PreparedDirectory prepared(String versionId, MigrationDirectory dir, Dialect dialect) {
        return prepared.computeIfAbsent(versionId + "/" + dialect, k -> PreparedDirectory.of(dir, dialect));
    }

    Future<Void> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.close();
    }
}
