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

/**
 * Builds the one terminal {@link MigrationResult} of a command, from a result or a failure. A
 * result lists the statements it applied, but it must fit in a Kafka record of the default size
 * (1 MiB) however large the files were: a statement is listed with at most
 * {@link #STATEMENT_CHARS} characters, a result lists at most {@link #LISTED_CHARS} characters of
 * statements in all and says how many more it applied, and error texts are cut at
 * {@link #ERROR_CHARS}. The target's {@code atlas_schema_revisions} keeps the full record.
 */
final class ResultMaker {
    /** The most characters of one statement a result lists. */
    static final int STATEMENT_CHARS = 4 * 1024;
    /** The most characters of statements one result lists, all files together. */
    static final int LISTED_CHARS = 256 * 1024;
    /** The most characters of an error message or a failed statement a result carries. */
    static final int ERROR_CHARS = 16 * 1024;

    private final String workerId;

    ResultMaker(String workerId) {
        this.workerId = workerId;
    }

    MigrationResult of(MigrationCommand c, ApplyResult r) {
        List<FileLog> files = new ArrayList<>();
        int budget = LISTED_CHARS;
        for (FileResult f : r.applied()) {
            List<String> listed = new ArrayList<>();
            int i = 0;
            for (; i < f.applied().size() && budget > 0; i++) {
                String stmt = cut(f.applied().get(i), STATEMENT_CHARS);
                listed.add(stmt);
                budget -= stmt.length();
            }
            if (i < f.applied().size()) {
                listed.add("-- " + (f.applied().size() - i) + " more statements of this file ran; a result lists"
                        + " at most " + LISTED_CHARS / 1024 + " KiB of statements");
            }
            files.add(FileLog.newBuilder().setName(f.name()).setVersion(f.version()).setDescription(f.description())
                    .setStartedAt(f.start()).setEndedAt(f.end()).setSkipped(f.skipped()).setApplied(listed)
                    .setErrorStmt(f.error() == null ? null : cut(f.error().stmt(), ERROR_CHARS))
                    .setErrorText(f.error() == null ? null : cut(DatabaseUrl.redact(f.error().text()), ERROR_CHARS))
                    .build());
        }
        return base(c, r.start(), r.end()).setStatus(r.status()).setDatabaseId(r.targetId())
                .setFromVersion(r.current()).setToVersion(r.target() == null ? c.getTargetVersion() : r.target())
                .setCurrentVersion(r.versionAfter()).setFiles(files)
                .setError(r.error() == null ? null : cut(DatabaseUrl.redact(r.error()), ERROR_CHARS))
                .setErrorCode(r.error() == null ? null : ErrorCode.STATEMENT_FAILED.name()).build();
    }

    /** A command that could not run at all: unreachable target, lock timeout, bad history, a bug. */
    MigrationResult failed(MigrationCommand c, Instant start, ErrorCode code, String message) {
        return base(c, start, Instant.now()).setStatus("FAILED").setToVersion(c.getTargetVersion())
                .setFiles(List.of()).setError(cut(DatabaseUrl.redact(message), ERROR_CHARS)).setErrorCode(code.name())
                .build();
    }

    /** A command the worker did not start: its set was paused or cancelled, or its group stopped. */
    MigrationResult skipped(MigrationCommand c, Instant start, String code, String why) {
        return base(c, start, Instant.now()).setStatus("SKIPPED").setToVersion(c.getTargetVersion())
                .setFiles(List.of()).setError(cut(why, ERROR_CHARS)).setErrorCode(code).build();
    }

    /**
     * {@code text} with at most {@code max} characters, saying how many were left out, and U+FFFD in
     * place of any NUL: a database's error text (or a statement) may carry one, PostgreSQL's text
     * cannot, and the views would refuse the whole result and park it, leaving its target without one.
     */
    static String cut(String text, int max) {
        if (text == null) {
            return null;
        }
        String t = text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
        if (t.length() <= max) {
            return t;
        }
        return t.substring(0, max) + "… (" + (t.length() - max) + " more characters)";
    }

    private MigrationResult.Builder base(MigrationCommand c, Instant start, Instant end) {
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(c.getDeploymentSetId()).setTargetId(c.getTargetId())
                .setCommandId(c.getCommandId()).setAttempt(c.getAttempt()).setEnv(c.getEnv())
                .setDirectory(c.getDirectory()).setVersionId(c.getVersionId()).setTargetName(c.getTargetName())
                .setRedactedUrl(c.getRedactedUrl()).setStartedAt(start).setEndedAt(end).setWorkerId(workerId);
    }
}
