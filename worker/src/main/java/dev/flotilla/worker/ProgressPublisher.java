package dev.flotilla.worker;

import dev.flotilla.migrate.exec.ApplyListener;
import dev.flotilla.migrate.exec.FileResult;
import dev.flotilla.migrate.exec.PreparedDirectory.PreparedFile;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Publishes a {@link MigrationProgress} when a command starts its first file and when each file
 * ends, on the results topic (same key, so in order with the terminal result). Fire and forget:
 * progress is advisory, the terminal result is what counts.
 */
final class ProgressPublisher implements ApplyListener {
    private final Producer<String, byte[]> producer;
    private final MigrationCommand command;
    private boolean started;

    ProgressPublisher(Producer<String, byte[]> producer, MigrationCommand command) {
        this.producer = producer;
        this.command = command;
    }

    @Override
    public void planned(String current, String target, List<PreparedFile> pending) {
        if (!pending.isEmpty()) {
            started = true;
            PreparedFile f = pending.get(0);
            send(f.name(), f.version(), "STARTED", 0, f.statements().size());
        }
    }

    @Override
    public void fileFinished(FileResult r) {
        if (started) {
            int applied = r.skipped() + r.applied().size() - (r.error() == null ? 0 : 1);
            send(r.name(), r.version(), r.error() == null ? "FILE_DONE" : "FILE_FAILED", applied,
                    r.skipped() + r.applied().size());
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
