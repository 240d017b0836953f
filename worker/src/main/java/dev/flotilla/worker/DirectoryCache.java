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
import dev.flotilla.migrate.FlotillaException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every pushed directory version, read from the compacted {@code flotilla.directories} topic, so a
 * worker needs nothing but Kafka to know what a command's version contains. Each version is split
 * into statements once per dialect and reused for every target.
 */
final class DirectoryCache {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryCache.class);

    private final Map<String, MigrationDirectory> versions = new ConcurrentHashMap<>();
    private final Map<String, PreparedDirectory> prepared = new ConcurrentHashMap<>();
    private final Map<String, List<Promise<MigrationDirectory>>> waiting = new ConcurrentHashMap<>();
    private KafkaConsumer<String, byte[]> consumer;

    Future<Void> start(Vertx vertx, KafkaSettings kafka, String clientId) {
        consumer = KafkaConsumer.create(vertx, KafkaClients.strings(KafkaClients.consumer(kafka, null, clientId)));
        consumer.handler(r -> add(r.value()));
        TopicPartition tp = new TopicPartition(Topics.DIRECTORIES, 0);
        return consumer.assign(tp).compose(v -> consumer.seekToBeginning(tp));
    }

    private void add(byte[] value) {
        try {
            DirectoryPushed e = EventSerde.decode(value, DirectoryPushed.class);
            byte[] archive = new byte[e.getArchive().remaining()];
            e.getArchive().duplicate().get(archive);
            MigrationDirectory dir = MigrationDirectory.fromArchive(archive);
            versions.put(e.getVersionId(), dir);
            List<Promise<MigrationDirectory>> ws = waiting.remove(e.getVersionId());
            if (ws != null) {
                ws.forEach(p -> p.tryComplete(dir));
            }
        } catch (RuntimeException ex) {
            LOG.warn("skipping an unreadable record on {}: {}", Topics.DIRECTORIES, ex.getMessage());
        }
    }

    /** The version, once it has been read from the topic. */
    Future<MigrationDirectory> get(String versionId) {
        MigrationDirectory d = versions.get(versionId);
        if (d != null) {
            return Future.succeededFuture(d);
        }
        Promise<MigrationDirectory> p = Promise.promise();
        waiting.computeIfAbsent(versionId, k -> new ArrayList<>()).add(p);
        d = versions.get(versionId);
        if (d != null) {
            p.tryComplete(d);
        }
        return p.future();
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
