package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.DeploymentConfig;
import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Creates a deployment set: resolves the env's targets, splits them into the groups of its
 * {@code rollout} block's deployment (or one group without a limit), caps the version, and hands
 * the plan to {@link Rollouts}, which records it and publishes the set, its first state and the
 * commands of the groups that start at once in one Kafka transaction. Blocking.
 */
final class FanOut {
    private final EventTx tx;
    private final Rollouts rollouts;

    FanOut(KafkaProducer<String, byte[]> producer, ServiceStore db) {
        this.tx = new EventTx(producer);
        this.rollouts = new Rollouts(new RolloutStore(db), tx);
    }

    Rollouts rollouts() {
        return rollouts;
    }

    /** A set of every target at once, to the directory's latest version, without a halt. */
    Rollouts.Created deploy(String setId, EnvConfig env, DirectoryIndex.TagVersion v, String trigger, boolean dryRun) {
        return deploy(setId, env, v, trigger, dryRun, null, null);
    }

    /**
     * Publishes a set. {@code setId} is derived from the push and the env when a push triggers the
     * set, so a coordinator that dies after publishing and re-handles the push finds the set it
     * recorded rather than making a second one.
     *
     * @param toVersion a cap on the version (the CLI's {@code --to-version}); null for the env's
     *     {@code to_version}, else the directory's latest
     * @param halt when the rollout pauses itself; null for never
     */
    Rollouts.Created deploy(String setId, EnvConfig env, DirectoryIndex.TagVersion v, String trigger,
            boolean dryRun, String toVersion, PolicyConfig.Halt halt) {
        List<Target> targets = env.targets().resolve();
        checkUnique(env, targets);
        List<Rollouts.PlannedGroup> groups = new ArrayList<>();
        List<Target> unmatched = new ArrayList<>();
        DeploymentConfig d = env.deployment();
        if (d == null) {
            groups.add(new Rollouts.PlannedGroup(Rollouts.FLAT, 0, false, List.of(), targets));
        } else {
            Set<String> placed = new HashSet<>();
            for (DeploymentConfig.Planned p : d.plan(targets)) {
                groups.add(new Rollouts.PlannedGroup(p.group().name(), p.group().parallel(),
                        p.group().onError() == DeploymentConfig.OnError.FAIL, p.group().dependsOn(), p.targets()));
                p.targets().forEach(t -> placed.add(t.name()));
            }
            targets.stream().filter(t -> !placed.contains(t.name())).forEach(unmatched::add);
        }
        return rollouts.create(new Rollouts.Plan(setId, env.name(), v, cap(v, toVersion != null
                ? toVersion : env.versionCap()), trigger, dryRun, env.baseline(), env.txMode(), halt, groups, unmatched,
                d == null ? null : d.name()));
    }

    /** The version a set goes up to: the directory's latest, or the cap when that is lower. */
    private static String cap(DirectoryIndex.TagVersion v, String cap) {
        if (cap == null || v.latestVersion() == null) {
            return v.latestVersion();
        }
        return cap.compareTo(v.latestVersion()) < 0 ? cap : v.latestVersion();
    }

    /**
     * Publishes the set as FAILED, without targets, with {@code reason}: its fan-out kept failing.
     * The views show it with the reason; {@code flotilla migrate apply --env} starts a new one.
     *
     * @throws FlotillaException CONNECTION_FAILED when Kafka does not take it either
     */
    void failed(String setId, EnvConfig env, DirectoryIndex.TagVersion v, String trigger, String reason) {
        RolloutStore.SetRow s = new RolloutStore.SetRow();
        s.id = setId;
        s.env = env.name();
        s.directory = v.directory();
        s.versionId = v.versionId();
        s.tag = v.tag();
        s.targetVersion = v.latestVersion();
        s.trigger = trigger;
        s.createdAt = Instant.now();
        String redacted = DatabaseUrl.redact(reason);
        tx.publish("the failure of deployment set " + setId + " for env \"" + env.name() + "\"",
                sink -> sink.send(Topics.DEPLOYMENTS, setId, Rollouts.created(s, redacted)));
        rollouts.failed(setId, redacted);
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

    /** The set id for a push-triggered deployment of {@code env}: the same for every re-handling of the push. */
    static String setIdFor(String pushEventId, String env) {
        return UUID.nameUUIDFromBytes((pushEventId + "/" + env).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }
}
