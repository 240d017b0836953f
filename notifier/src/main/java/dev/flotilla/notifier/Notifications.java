package dev.flotilla.notifier;

import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Turns Flotilla's events into notifications: which event is worth telling (a failed target, an env
 * that reached a version, a set's state transition), and how it reads for people. Pure: the state a
 * transition is judged against is given.
 */
public final class Notifications {
    private static final Set<String> FINISHED = Set.of("PASSED", "FAILED", "CANCELLED");
    /** Longest error text a notification carries. */
    static final int ERROR_CHARS = 1000;

    private Notifications() {
    }

    /**
     * The last state recorded of a set.
     *
     * @param epoch the epoch it had
     * @param state its state then
     */
    public record Known(int epoch, String state) {
    }

    /** A FAILED result as {@code target.failed}; nothing for any other status. */
    public static Optional<Notification> result(MigrationResult r) {
        if (!"FAILED".equals(r.getStatus())) {
            return Optional.empty();
        }
        String error = clip(DatabaseUrl.redact(r.getError() == null ? "" : r.getError()));
        JsonObject data = new JsonObject().put("setId", r.getDeploymentSetId()).put("targetId", r.getTargetId())
                .put("target", r.getTargetName()).put("versionId", r.getVersionId())
                .put("fromVersion", r.getFromVersion()).put("toVersion", r.getToVersion())
                .put("currentVersion", r.getCurrentVersion()).put("error", error)
                .put("errorCode", r.getErrorCode()).put("attempt", r.getAttempt());
        String summary = "Target " + r.getTargetName() + " of env " + r.getEnv() + " failed to migrate directory "
                + r.getDirectory() + (r.getToVersion() == null ? "" : " to version " + r.getToVersion())
                + " (set " + shortId(r.getDeploymentSetId()) + ")" + (error.isEmpty() ? "" : ": " + error);
        return Optional.of(new Notification(EventType.TARGET_FAILED, r.getEventId(), r.getOccurredAt(),
                r.getDirectory(), r.getEnv(), data, summary));
    }

    /** {@code env.reached_version}. */
    public static Notification reached(EnvReachedVersion e) {
        JsonObject data = new JsonObject().put("versionId", e.getVersionId()).put("version", e.getVersion())
                .put("targets", e.getTargets()).put("setId", e.getDeploymentSetId());
        String summary = "Env " + e.getEnv() + " reached version " + (e.getVersion() == null ? "(none)"
                : e.getVersion()) + " of directory " + e.getDirectory() + " on all " + e.getTargets() + " targets";
        return new Notification(EventType.ENV_REACHED_VERSION, e.getEventId(), e.getOccurredAt(), e.getDirectory(),
                e.getEnv(), data, summary);
    }

    /**
     * The notification a set's new state calls for, given what was last recorded of the set (null:
     * nothing). Only a transition tells: an epoch not above the known one is a replay, and a new
     * epoch in the same state tells nothing. The first RUNNING is {@code set.started} (a RUNNING
     * after a pause is a resume, not a start); PAUSED without an actor (the automatic halt) and
     * HALTED are {@code set.halted}; PASSED, FAILED and CANCELLED are {@code set.finished}.
     */
    public static Optional<Notification> rollout(RolloutChanged r, Known known) {
        if (known != null && (r.getEpoch() <= known.epoch() || r.getState().equals(known.state()))) {
            return Optional.empty();
        }
        EventType type = transition(r, known);
        if (type == null) {
            return Optional.empty();
        }
        JsonObject data = new JsonObject().put("setId", r.getDeploymentSetId()).put("state", r.getState())
                .put("epoch", r.getEpoch()).put("versionId", r.getVersionId())
                .put("targetVersion", r.getTargetVersion()).put("planned", r.getPlanned())
                .put("succeeded", r.getSucceeded()).put("failed", r.getFailed()).put("skipped", r.getSkipped())
                .put("stoppedGroups", new JsonArray(r.getStoppedGroups().stream().map(String::valueOf).toList()))
                .put("reason", r.getReason() == null ? null : clip(DatabaseUrl.redact(r.getReason())))
                .put("actor", r.getActor());
        return Optional.of(new Notification(type, r.getEventId(), r.getOccurredAt(), r.getDirectory(), r.getEnv(),
                data, summary(type, r)));
    }

    private static EventType transition(RolloutChanged r, Known known) {
        String s = r.getState();
        if ("RUNNING".equals(s)) {
            return known == null ? EventType.SET_STARTED : null;
        }
        if ("HALTED".equals(s) || "PAUSED".equals(s) && r.getActor() == null) {
            return EventType.SET_HALTED;
        }
        return FINISHED.contains(s) ? EventType.SET_FINISHED : null;
    }

    private static String summary(EventType type, RolloutChanged r) {
        String what = switch (type) {
            case SET_STARTED -> "started";
            case SET_HALTED -> "PAUSED".equals(r.getState()) ? "halted itself (paused)" : "HALTED";
            default -> "finished " + r.getState();
        };
        String reason = r.getReason() == null ? "" : "; reason: " + clip(DatabaseUrl.redact(r.getReason()));
        return "Deployment set " + shortId(r.getDeploymentSetId()) + " of directory " + r.getDirectory()
                + " to env " + r.getEnv() + (r.getTargetVersion() == null ? "" : " (version " + r.getTargetVersion()
                + ")") + " " + what + ": " + r.getSucceeded() + "/" + r.getPlanned() + " succeeded, " + r.getFailed()
                + " failed, " + r.getSkipped() + " skipped" + reason;
    }

    /** A {@code ping} for one webhook's "test" action. */
    public static Notification ping(Webhook w, String actor) {
        JsonObject data = new JsonObject().put("webhook", w.id()).put("name", w.name()).put("requestedBy", actor);
        return new Notification(EventType.PING, "ping-" + UUID.randomUUID(), Instant.now(), w.directory(), null,
                data, "Flotilla test message for webhook " + w.name() + " of directory " + w.directory()
                + " (requested by " + actor + ")");
    }

    private static String shortId(String id) {
        return id == null ? "(none)" : id;
    }

    private static String clip(String s) {
        return s.length() <= ERROR_CHARS ? s : s.substring(0, ERROR_CHARS) + "…";
    }
}
