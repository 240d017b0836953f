package dev.flotilla.worker;

import dev.flotilla.migrate.exec.ApplyListener;
import dev.flotilla.migrate.exec.FileResult;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Publishes {@link MigrationProgress} on the results topic (same key as the terminal result, so in
 * order with it) for a command that is still running {@code after} its first file began: a
 * {@code STARTED} naming the file in progress, then one event as each later file ends. A command
 * that finishes sooner publishes no progress at all: its result carries every file's log, and a
 * fleet of fast tenants would otherwise spend most of its Kafka and view writes on "running"
 * that is over before anyone can see it. Fire and forget: progress is advisory.
 */
final class ProgressPublisher implements ApplyListener, AutoCloseable {
    private final Vertx vertx;
    private final Producer<String, byte[]> producer;
    private final MigrationCommand command;
    private final Duration after;
    private List<PreparedFile> pending = List.of();
    private int current;
    private boolean started;
    private boolean closed;
    private long timer = -1;

    ProgressPublisher(Vertx vertx, Producer<String, byte[]> producer, MigrationCommand command, Duration after) {
        this.vertx = vertx;
        this.producer = producer;
        this.command = command;
        this.after = after;
    }

    @Override
    public synchronized void planned(String currentVersion, String target, List<PreparedFile> files) {
        if (files.isEmpty() || closed) {
            return;
        }
        pending = files;
        if (after.isZero()) {
            start();
        } else {
            timer = vertx.setTimer(after.toMillis(), id -> vertx.executeBlocking(() -> {
                stillRunning();
                return null;
            }, false));
        }
    }

    @Override
    public synchronized void fileFinished(FileResult r) {
        current++;
        if (started) {
            int applied = r.skipped() + r.applied().size() - (r.error() == null ? 0 : 1);
            send(r.name(), r.version(), r.error() == null ? "FILE_DONE" : "FILE_FAILED", applied,
                    r.skipped() + r.applied().size());
        }
    }

    private synchronized void stillRunning() {
        if (!closed && !started) {
            start();
        }
    }

    private void start() {
        started = true;
        PreparedFile f = pending.get(Math.min(current, pending.size() - 1));
        send(f.name(), f.version(), "STARTED", 0, f.statements().size());
    }

    /** The run is over: nothing more is published for it. */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void send(String name, String version, String state, int applied, int total) {
        MigrationProgress p = MigrationProgress.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setDeploymentSetId(command.getDeploymentSetId())
                .setTargetId(command.getTargetId()).setCommandId(command.getCommandId())
                .setAttempt(command.getAttempt()).setFileName(name).setFileVersion(version).setState(state)
                .setStatementsApplied(applied).setStatementsTotal(total).build();
        producer.send(new ProducerRecord<>(Topics.RESULTS, command.getTargetId(), EventSerde.encode(p)));
    }
}
