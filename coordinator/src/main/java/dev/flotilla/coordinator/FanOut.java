package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.DeploymentConfig;
import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Creates a deployment set: streams the env's targets, placing each in a group of its
 * {@code rollout} block's deployment (or in one group without a limit) as it passes, caps the
 * version, and hands the plan to {@link Rollouts}, which writes the targets to the store as they
 * come and then publishes the set, its first state and the commands of the groups that start at
 * once. Blocking.
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
        DeploymentConfig d = env.deployment();
        List<Rollouts.PlannedGroup> groups = new ArrayList<>();
        if (d == null) {
            groups.add(new Rollouts.PlannedGroup(Rollouts.FLAT, 0, false, List.of()));
        } else {
            for (DeploymentConfig.Group g : d.groups()) {
                groups.add(new Rollouts.PlannedGroup(g.name(), g.parallel(), g.onError() == DeploymentConfig.OnError.FAIL,
                        g.dependsOn()));
            }
        }
        return rollouts.create(new Rollouts.Plan(setId, env.name(), v, cap(v, toVersion != null ? toVersion
                : env.versionCap()), trigger, dryRun, env.baseline(), env.txMode(), halt, groups, targets(env),
                d == null ? null : d.name()));
    }

    /**
     * The env's targets as they stream from its source, each placed in its group as it passes (the
     * first group it matches, with its order keys), never as a list: the store orders the groups and
     * refuses a name given twice.
     */
    private static Rollouts.Feed targets(EnvConfig env) {
        DeploymentConfig d = env.deployment();
        return sink -> {
            if (d == null) {
                return env.targets().stream(t -> sink.accept(t, Rollouts.FLAT, List.of()));
            }
            DeploymentConfig.Planner planner = d.planner();
            return env.targets().stream(t -> {
                DeploymentConfig.Placement p = planner.place(t);
                sink.accept(t, p == null ? null : p.group().name(), p == null ? List.of() : p.orderKeys());
            });
        };
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

    /** The set id for a push-triggered deployment of {@code env}: the same for every re-handling of the push. */
    static String setIdFor(String pushEventId, String env) {
        return UUID.nameUUIDFromBytes((pushEventId + "/" + env).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }
}
