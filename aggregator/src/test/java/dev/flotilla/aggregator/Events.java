package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.FileLog;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Events as the coordinator and the workers send them, at {@code t0} plus some seconds. */
final class Events {
    private final Instant t0;

    Events(Instant t0) {
        this.t0 = t0;
    }

    Instant at(int seconds) {
        return t0.plusSeconds(seconds);
    }

    /** A deployment set created at t0 (a redelivery is the same event, so always at t0). */
    DeploymentSetCreated set(String set, String version, int planned) {
        return DeploymentSetCreated.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(t0)
                .setDeploymentSetId(set).setEnv("prod").setDirectory("app").setVersionId("v" + version)
                .setTag("v" + version).setTargetVersion(version).setPlanned(planned).setTrigger("PUSH").build();
    }

    MigrationCommand command(String set, String target, String version, int seconds) {
        return MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at(seconds))
                .setDeploymentSetId(set).setTargetId(target).setCommandId(set + "/" + target).setEnv(env(target))
                .setDirectory("app").setVersionId("v" + version).setTargetVersion(version).setTargetName(name(target))
                .setRedactedUrl("sqlite://" + name(target) + ".db").setIndex(0).setPlanned(2).build();
    }

    MigrationProgress progress(String set, String target, int attempt, int seconds) {
        return MigrationProgress.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at(seconds))
                .setDeploymentSetId(set).setTargetId(target).setCommandId(set + "/" + target).setAttempt(attempt)
                .setFileName("1_a.sql").setFileVersion("1").setState("STARTED").setStatementsApplied(0)
                .setStatementsTotal(1).build();
    }

    /** A result from version 1 to {@code to}, now at {@code current}, with one file per version applied. */
    MigrationResult result(String set, String target, String status, int attempt, String to, String current,
            int seconds) {
        Instant t = at(seconds);
        List<FileLog> files = new ArrayList<>();
        for (int v = 2; "PASSED".equals(status) && v <= Integer.parseInt(current); v++) {
            files.add(FileLog.newBuilder().setName(v + "_f.sql").setVersion(Integer.toString(v)).setDescription("f")
                    .setStartedAt(t).setEndedAt(t).setSkipped(0).setApplied(List.of("SELECT " + attempt)).build());
        }
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(t)
                .setDeploymentSetId(set).setTargetId(target).setCommandId(set + "/" + target).setAttempt(attempt)
                .setEnv(env(target)).setDirectory("app").setVersionId("v" + to).setTargetName(name(target))
                .setRedactedUrl("sqlite://" + name(target) + ".db").setStatus(status).setFromVersion("1")
                .setToVersion(to).setCurrentVersion(current).setFiles(files).setStartedAt(t.minusMillis(10))
                .setEndedAt(t).setWorkerId("w" + attempt).setError("FAILED".equals(status) ? "boom" : null).build();
    }

    /** A result that did not run the target, with the code that says why. */
    MigrationResult skipped(String set, String target, int attempt, String code, String message, int seconds) {
        Instant t = at(seconds);
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(t)
                .setDeploymentSetId(set).setTargetId(target).setCommandId(set + "/" + target).setAttempt(attempt)
                .setEnv(env(target)).setDirectory("app").setVersionId("v2").setTargetName(name(target))
                .setRedactedUrl("sqlite://" + name(target) + ".db").setStatus("SKIPPED").setToVersion("2")
                .setFiles(List.of()).setError(message).setErrorCode(code).setStartedAt(t).setEndedAt(t)
                .setWorkerId("w" + attempt).build();
    }

    /** A command of a rollout group. */
    MigrationCommand command(String set, String target, String version, String group, int seconds) {
        return MigrationCommand.newBuilder(command(set, target, version, seconds)).setGroup(group).build();
    }

    /** The coordinator's state of a set's rollout. */
    RolloutChanged rollout(String set, int epoch, String state, String reason, String actor, int seconds,
            String... stoppedGroups) {
        return RolloutChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at(seconds))
                .setDeploymentSetId(set).setEnv("prod").setDirectory("app").setVersionId("v2").setTargetVersion("2")
                .setEpoch(epoch).setState(state).setReason(reason).setActor(actor)
                .setStoppedGroups(List.of(stoppedGroups)).build();
    }

    /** A push of directory {@code app} whose files have these versions, in order. */
    DirectoryPushed pushed(String tag, int seconds, String... versions) {
        return DirectoryPushed.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at(seconds))
                .setDirectory("app").setTag(tag).setVersionId("v" + versions[versions.length - 1])
                .setLatestVersion(versions[versions.length - 1]).setFileCount(versions.length)
                .setVersions(List.of(versions)).build();
    }

    /** A target id is {@code env/name}, as Topics.targetId makes them. */
    private static String env(String target) {
        return target.contains("/") ? target.substring(0, target.indexOf('/')) : "prod";
    }

    private static String name(String target) {
        return target.substring(target.indexOf('/') + 1);
    }
}
