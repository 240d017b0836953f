package dev.flotilla.worker;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.FileResult;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.avro.FileLog;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds the one terminal {@link MigrationResult} of a command, from a result or a failure. */
final class ResultMaker {
    private final String workerId;

    ResultMaker(String workerId) {
        this.workerId = workerId;
    }

    MigrationResult of(MigrationCommand c, ApplyResult r) {
        List<FileLog> files = new ArrayList<>();
        for (FileResult f : r.applied()) {
            files.add(FileLog.newBuilder().setName(f.name()).setVersion(f.version()).setDescription(f.description())
                    .setStartedAt(f.start()).setEndedAt(f.end()).setSkipped(f.skipped()).setApplied(f.applied())
                    .setErrorStmt(f.error() == null ? null : f.error().stmt())
                    .setErrorText(f.error() == null ? null : DatabaseUrl.redact(f.error().text())).build());
        }
        return base(c, r.start(), r.end()).setStatus(r.status()).setDatabaseId(r.targetId())
                .setFromVersion(r.current()).setToVersion(r.target() == null ? c.getTargetVersion() : r.target())
                .setCurrentVersion(r.versionAfter()).setFiles(files)
                .setError(r.error() == null ? null : DatabaseUrl.redact(r.error()))
                .setErrorCode(r.error() == null ? null : ErrorCode.STATEMENT_FAILED.name()).build();
    }

    /** A command that could not run at all: unreachable target, lock timeout, bad history, a bug. */
    MigrationResult failed(MigrationCommand c, Instant start, ErrorCode code, String message) {
        return base(c, start, Instant.now()).setStatus("FAILED").setToVersion(c.getTargetVersion())
                .setFiles(List.of()).setError(DatabaseUrl.redact(message)).setErrorCode(code.name()).build();
    }

    private MigrationResult.Builder base(MigrationCommand c, Instant start, Instant end) {
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(c.getDeploymentSetId()).setTargetId(c.getTargetId())
                .setCommandId(c.getCommandId()).setAttempt(c.getAttempt()).setEnv(c.getEnv())
                .setDirectory(c.getDirectory()).setVersionId(c.getVersionId()).setTargetName(c.getTargetName())
                .setRedactedUrl(c.getRedactedUrl()).setStartedAt(start).setEndedAt(end).setWorkerId(workerId);
    }
}
