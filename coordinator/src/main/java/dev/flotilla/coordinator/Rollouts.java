package dev.flotilla.coordinator;

import dev.flotilla.coordinator.RolloutStore.GroupRow;
import dev.flotilla.coordinator.RolloutStore.GroupState;
import dev.flotilla.coordinator.RolloutStore.SetRow;
import dev.flotilla.coordinator.RolloutStore.SetState;
import dev.flotilla.coordinator.RolloutStore.SkipKind;
import dev.flotilla.coordinator.RolloutStore.TargetChange;
import dev.flotilla.coordinator.RolloutStore.TargetRow;
import dev.flotilla.coordinator.RolloutStore.TargetState;
import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.coordinator.config.TargetSource;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The rollout engine: runs every deployment set as groups of targets (one group, without a limit,
 * for an env without Atlas' {@code rollout} block) and moves it on as results come in.
 *
 * <ul>
 *   <li>A group starts when every group it depends on is complete: all its targets are sent at
 *       once. A group with {@code parallel = N} sends them on N lanes (the command's key and
 *       {@code lane}): a lane's commands share a partition and a worker runs one of a lane at a
 *       time, so at most N run at once across all workers, with no round trip through the
 *       coordinator between two targets.</li>
 *   <li>A failure in an {@code on_error = FAIL} group stops the group: its targets not started are
 *       skipped (workers read {@code stoppedGroups}), those running finish, and the groups that
 *       depend on it are skipped; the set ends HALTED. A {@code CONTINUE} group with failures
 *       counts as complete.</li>
 *   <li>A set whose group crosses the env's halt threshold ({@code flotilla.hcl}) pauses itself;
 *       operators pause, resume, cancel, retry and skip. Every state change raises the set's
 *       epoch and is published as {@link RolloutChanged} on the compacted {@code flotilla.rollouts},
 *       which workers obey before they start a command.</li>
 *   <li>A set that passed on every target of its env publishes {@link EnvReachedVersion} once.</li>
 * </ul>
 *
 * <p>Each change of a set is one store transaction holding the set's row lock; what it publishes
 * goes out in one Kafka transaction before the store commits, so a result of a command it sent
 * waits for the lock and finds the rows. Results are idempotent: a result older than the target's
 * attempt, or one that changes nothing, is ignored.
 */
final class Rollouts {
    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    /** The group of a set without groups. */
    static final String FLAT = "";
    /** Failed targets a halt's reason names. */
    private static final int NAMED_FAILURES = 3;

    /** A group as planned for a new set; {@code parallel} 0 for no limit. */
    record PlannedGroup(String name, int parallel, boolean failFast, List<String> dependsOn) {
    }

    /** Takes a new set's targets one at a time, each with its place. */
    interface TargetSink {
        /**
         * @param group the target's group ({@link #FLAT} in a set without groups); null when it
         *     matched no group: it is skipped, with the reason
         * @param orderKeys its group's {@code order_by} values (strings or numbers); empty for none
         */
        void accept(Target t, String group, List<Object> orderKeys);
    }

    /**
     * Where a new set's targets come from: each given to the sink as it is made, in the env's
     * order, never as one list (a set may have a million).
     */
    interface Feed {
        /** @return how the targets given are ordered and de-duplicated */
        TargetSource.Order feed(TargetSink sink);
    }

    /**
     * A new set.
     *
     * @param targetVersion the migration version it goes up to (the directory's latest, or a cap)
     * @param targets its targets, each with its group
     */
    record Plan(String setId, String env, DirectoryIndex.TagVersion version, String targetVersion, String trigger,
            boolean dryRun, String baseline, String txMode, PolicyConfig.Halt halt, List<PlannedGroup> groups,
            Feed targets, String deployment) {
    }

    /** A created set: its id, number of targets and the version it goes up to. */
    record Created(String id, int planned, String targetVersion) {
    }

    private final RolloutStore store;
    private final EventTx tx;

    /** Told of every env that reached a version, after the change committed (promotions start there). */
    private volatile Consumer<EnvReachedVersion> onReached = e -> { };
    private volatile java.util.function.IntConsumer commandsPublished = n -> { };

    Rollouts(RolloutStore store, EventTx tx) {
        this.store = store;
        this.tx = tx;
    }

    /** Publishes in one transaction and counts the commands it sent once it committed. */
    private void send(String what, EventTx.Body body) {
        int[] commands = {0};
        tx.publish(what, sink -> body.send((topic, key, event, slot) -> {
            if (Topics.COMMANDS.equals(topic)) {
                commands[0]++;
            }
            sink.send(topic, key, event, slot);
        }));
        if (commands[0] > 0) {
            commandsPublished.accept(commands[0]);
        }
    }

    void onReached(Consumer<EnvReachedVersion> listener) {
        this.onReached = listener;
    }

    /** Told how many commands each committed Kafka transaction sent (the published-commands metric). */
    void onCommandsPublished(java.util.function.IntConsumer listener) {
        this.commandsPublished = listener;
    }

    RolloutStore store() {
        return store;
    }

    // ---------------------------------------------------------------------------------------------
    // Creating a set

    /**
     * Records a new set and publishes it: its {@link DeploymentSetCreated}, its first state, the
     * commands of the groups that start at once and the skipped results of unmatched targets. The
     * rows are committed first (unpublished), so results never arrive before them; a set whose
     * publishing failed is published again by the next call with its id, or by
     * {@link #republishUnpublished()} after a restart.
     *
     * @throws FlotillaException CONNECTION_FAILED when Kafka does not take it
     */
    Created create(Plan p) {
        try {
            Optional<SetRow> existing = store.find(p.setId());
            if (existing.isPresent()) {
                if (!existing.get().published) {
                    republish(p.setId(), "");
                }
                return new Created(p.setId(), existing.get().planned, existing.get().targetVersion);
            }
            SetRow s = newSet(p);
            List<GroupRow> groups = new ArrayList<>();
            for (int i = 0; i < p.groups().size(); i++) {
                PlannedGroup pg = p.groups().get(i);
                GroupRow g = new GroupRow();
                g.name = pg.name();
                g.ord = i;
                g.parallel = pg.parallel();
                g.failFast = pg.failFast();
                g.dependsOn = pg.dependsOn();
                g.state = pg.dependsOn().isEmpty() ? GroupState.RUNNING : GroupState.WAITING;
                groups.add(g);
            }
            long t0 = System.nanoTime();
            try (Connection c = store.transaction()) {
                try {
                    record(c, p, s, groups);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            long t1 = System.nanoTime();
            republish(s.id, "");
            LOG.info("deployment set {} for env {}: {} targets in {} to version {} ({}:{}); written in {} ms, published"
                    + " in {} ms", s.id, s.env, s.planned, p.groups().size() == 1 && FLAT.equals(p.groups().get(0).name())
                    ? "one go" : p.groups().size() + " groups of deployment " + p.deployment(), s.targetVersion,
                    s.directory, s.tag, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
            if (groups.stream().anyMatch(g -> g.state == GroupState.RUNNING && !g.open()) || groups.isEmpty()) {
                change(s.id, this::evaluate); // a group with no target: the next ones start, or the set ends, now
            }
            return new Created(s.id, s.planned, s.targetVersion);
        } catch (SQLException e) {
            throw store(e);
        }
    }

    /**
     * Writes a new set, unpublished: its targets stream from the feed into the store (COPY), each
     * written as it comes and then dropped, and the store numbers each group's targets in their
     * order; the counters are counted from the rows.
     *
     * @throws FlotillaException CONFIG_INVALID when the env gives a target name twice
     */
    private void record(Connection c, Plan p, SetRow s, List<GroupRow> groups) throws SQLException {
        int[] keys = {0};
        TargetSource.Order order;
        try (RolloutStore.Staging staging = store.stage(c, s.env)) {
            order = p.targets().feed((t, group, orderKeys) -> {
                keys[0] = Math.max(keys[0], orderKeys.size());
                try {
                    staging.add(t.name(), t.redactedUrl(), group, orderKeys);
                } catch (SQLException e) {
                    throw store(e);
                }
            });
            staging.end();
        }
        List<String> running = groups.stream().filter(g -> g.state == GroupState.RUNNING).map(g -> g.name).toList();
        boolean oneGroup = p.deployment() == null && groups.size() == 1;
        int rows = store.place(c, s.id, running, keys[0], order, "matches no group of deployment \""
                + p.deployment() + "\"; add a group without match to take the rest", oneGroup);
        if (rows < 0) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "env \"" + s.env + "\" lists target \""
                    + store.duplicate(c) + "\" twice; target names must be unique within an env");
        }
        if (oneGroup) {
            groups.get(0).add(groups.get(0).state == GroupState.RUNNING ? TargetState.SENT : TargetState.PENDING, rows);
        } else {
            store.recount(c, s.id, groups);
        }
        s.unmatched = p.deployment() == null ? 0 : store.unmatched(c, s.id);
        s.planned = groups.stream().mapToInt(g -> g.pending + g.sent + g.passed + g.failed + g.skipped).sum()
                + s.unmatched;
        store.insert(c, s);
        store.insertGroups(c, s.id, groups);
    }

    private static SetRow newSet(Plan p) {
        SetRow s = new SetRow();
        s.id = p.setId();
        s.env = p.env();
        s.directory = p.version().directory();
        s.versionId = p.version().versionId();
        s.tag = p.version().tag();
        s.targetVersion = p.targetVersion();
        s.dryRun = p.dryRun();
        s.trigger = p.trigger();
        s.state = SetState.RUNNING;
        s.epoch = 1;
        s.haltRatio = p.halt() == null ? null : p.halt().failureRatio();
        s.haltMin = p.halt() == null ? null : p.halt().minFinished();
        s.baseline = p.baseline();
        s.txMode = p.txMode();
        s.createdAt = Instant.now();
        return s;
    }

    /**
     * Publishes a set whose rows exist but which is not published yet: its creation, its first
     * state, the commands of its sent targets and the results of those no group matched, read from
     * the store in pages. Its first publication and any later one (its publishing failed, or the
     * coordinator died first) are the same: the same set, the same commands.
     */
    private void republish(String setId, String again) throws SQLException {
        try (Connection c = store.transaction()) {
            SetRow s = store.lock(c, setId).orElseThrow();
            if (s.published) {
                c.rollback();
                return;
            }
            List<GroupRow> groups = store.groups(c, s.id);
            Map<String, GroupRow> byName = new HashMap<>();
            groups.forEach(g -> byName.put(g.name, g));
            send("deployment set " + s.id + " for env \"" + s.env + "\"" + again, sink -> {
                sink.send(Topics.DEPLOYMENTS, s.id, created(s, null));
                sink.send(Topics.ROLLOUTS, s.id, changed(s, groups));
                Map<String, Integer> lane = new HashMap<>();
                inStore(() -> store.forEachTarget(c, s.id, null, TargetState.SENT, false, t -> {
                    GroupRow g = byName.get(t.group());
                    int n = lane.merge(g.name, 1, Integer::sum) - 1;
                    sink.send(Topics.COMMANDS, key(s, g, t.targetId(), n), command(s, g, t.targetId(), t.name(),
                            t.redactedUrl(), t.ord(), t.attempt(), n), slot(s, g, n));
                }));
                inStore(() -> store.forEachTarget(c, s.id, null, TargetState.SKIPPED, false, t -> sink.send(
                        Topics.RESULTS, t.targetId(), skippedResult(s, t.targetId(), t.name(), t.redactedUrl(),
                        t.attempt(), "UNMATCHED", t.error()))));
            });
            c.commit();
        }
        store.published(setId);
    }

    /** A read of the store inside a Kafka transaction's body, which cannot throw SQLException. */
    private interface StoreRead {
        void run() throws SQLException;
    }

    private static void inStore(StoreRead read) {
        try {
            read.run();
        } catch (SQLException e) {
            throw store(e);
        }
    }

    /** Publishes every set a dead coordinator recorded but did not publish. */
    void republishUnpublished() {
        try {
            for (String id : store.unpublished()) {
                LOG.info("deployment set {} was recorded but not published; publishing it now", id);
                republish(id, " (again)");
            }
        } catch (SQLException e) {
            throw store(e);
        }
    }

    /** A set whose fan-out failed for good: recorded FAILED with the reason. */
    void failed(String setId, String reason) {
        try {
            store.failed(setId, reason);
        } catch (SQLException e) {
            LOG.warn("deployment set {} failed and could not be recorded as failed: {}", setId, e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Results

    /** Applies results of one set (any order, replays included) and moves the set on. */
    void onResults(String setId, List<MigrationResult> results) {
        change(setId, (c, s, groups, out) -> {
            Map<String, GroupRow> byName = new HashMap<>();
            groups.forEach(g -> byName.put(g.name, g));
            Map<String, MigrationResult> latest = new LinkedHashMap<>();
            for (MigrationResult r : results) {
                MigrationResult before = latest.get(r.getTargetId());
                if (before == null || r.getAttempt() >= before.getAttempt()) {
                    latest.put(r.getTargetId(), r);
                }
            }
            Map<String, TargetRow> rows = store.targets(c, s.id, latest.keySet());
            List<TargetChange> changes = new ArrayList<>();
            for (MigrationResult r : latest.values()) {
                TargetRow row = rows.get(r.getTargetId());
                GroupRow g = row == null ? null : byName.get(row.group());
                if (g == null || r.getAttempt() < row.attempt()) {
                    continue; // not a target of this set's groups, or an older attempt
                }
                TargetState to = stateOf(r, row);
                if (to == null || to == row.state()) {
                    continue;
                }
                g.add(row.state(), -1);
                g.add(to, 1);
                String error = to == TargetState.FAILED ? DatabaseUrl.redact(r.getError())
                        : to == TargetState.SKIPPED ? r.getError() : null;
                SkipKind kind = to != TargetState.SKIPPED ? null
                        : "SET_CANCELLED".equals(r.getErrorCode()) ? SkipKind.CANCELLED : SkipKind.GROUP;
                changes.add(new TargetChange(row.targetId(), to, Math.max(row.attempt(), r.getAttempt()), error, kind));
            }
            store.updateTargets(c, s.id, changes);
            evaluate(c, s, groups, out);
        });
    }

    /** What a result makes of a target, or null when it changes nothing. */
    private static TargetState stateOf(MigrationResult r, TargetRow row) {
        switch (r.getStatus()) {
            case "PASSED", "NO_ACTION", "DRY_RUN" -> {
                return TargetState.PASSED;
            }
            case "FAILED" -> {
                return TargetState.FAILED;
            }
            case "SKIPPED" -> {
                if ("SET_PAUSED".equals(r.getErrorCode())) {
                    // Not started because the set was paused: it waits to be sent again on resume.
                    return row.state() == TargetState.SENT && r.getAttempt() == row.attempt() ? TargetState.PENDING
                            : null;
                }
                return TargetState.SKIPPED;
            }
            default -> {
                return null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Moving a set on

    /**
     * Moves the set on from its counters: stops failed FAIL groups, pauses on a halt, completes
     * groups, starts or skips waiting ones, and ends the set when nothing is left.
     */
    private void evaluate(Connection c, SetRow s, List<GroupRow> groups, Out out) throws SQLException {
        if (s.state == SetState.CANCELLED || (s.state.done() && groups.stream().noneMatch(GroupRow::open))) {
            return;
        }
        for (GroupRow g : groups) {
            if (g.state == GroupState.RUNNING && g.failFast && g.failed > 0) {
                g.state = GroupState.FAILED;
                g.dirty = true;
                String why = firstFailure(c, s, g);
                skipPending(c, s, g, SkipKind.GROUP, "not started: group \"" + g.name + "\" (on_error = FAIL) failed"
                        + why, out);
                out.stateChanged = true;
                LOG.warn("deployment set {}: group {} failed{}; no new target of it starts", s.id, g.name, why);
            } else if (g.state == GroupState.FAILED && g.pending > 0) {
                // Sent before the group failed, then held back by a pause: they do not start either.
                skipPending(c, s, g, SkipKind.GROUP, "not started: group \"" + g.name + "\" (on_error = FAIL)"
                        + " failed" + firstFailure(c, s, g), out);
            }
        }
        if (s.state == SetState.RUNNING && s.haltRatio != null) {
            PolicyConfig.Halt halt = new PolicyConfig.Halt(s.haltRatio, s.haltMin);
            for (GroupRow g : groups) {
                int failed = g.failed - g.ackFailed;
                int finished = g.finished() - g.ackFinished;
                if (g.open() && halt.crossed(failed, finished)) {
                    s.state = SetState.PAUSED;
                    s.actor = null;
                    s.reason = "halted: " + failed + " of " + finished + " finished targets of group "
                            + groupName(g) + " failed (" + percent(failed, finished) + ", the threshold is "
                            + percent(halt.failureRatio()) + " once " + halt.minFinished() + " finished)"
                            + failures(c, s, g);
                    out.stateChanged = true;
                    LOG.warn("deployment set {} {}", s.id, s.reason);
                    break;
                }
            }
        }
        for (GroupRow g : groups) {
            if (g.state == GroupState.RUNNING && !g.open()) {
                g.state = GroupState.COMPLETE;
                g.dirty = true;
            }
        }
        if (s.state == SetState.RUNNING) {
            // Targets a worker held back for a pause that its resume overtook come back pending: send them again.
            redispatch(c, s, groups, out);
            boolean moved = true;
            while (moved) {
                moved = false;
                for (GroupRow g : groups) {
                    if (g.state != GroupState.WAITING) {
                        continue;
                    }
                    Optional<GroupRow> blocked = dependencies(g, groups).stream()
                            .filter(d -> d.state == GroupState.FAILED || d.state == GroupState.SKIPPED).findFirst();
                    if (blocked.isPresent()) {
                        g.state = GroupState.SKIPPED;
                        g.dirty = true;
                        skipPending(c, s, g, SkipKind.DEPENDENCY, "not started: group \"" + g.name + "\" depends on"
                                + " group \"" + blocked.get().name + "\", which "
                                + (blocked.get().state == GroupState.FAILED ? "failed" : "did not run"), out);
                        moved = true;
                    } else if (dependencies(g, groups).stream().allMatch(d -> d.state == GroupState.COMPLETE)) {
                        g.state = GroupState.RUNNING;
                        g.dirty = true;
                        dispatch(c, s, g, out);
                        if (!g.open()) {
                            g.state = GroupState.COMPLETE;
                        }
                        moved = true;
                    }
                }
            }
            boolean settled = groups.stream().allMatch(g -> g.state == GroupState.COMPLETE
                    || g.state == GroupState.FAILED || g.state == GroupState.SKIPPED) && groups.stream()
                    .noneMatch(GroupRow::open);
            if (settled) {
                finish(c, s, groups, out);
            }
        }
    }

    private void finish(Connection c, SetRow s, List<GroupRow> groups, Out out) throws SQLException {
        List<String> failedGroups = groups.stream().filter(g -> g.state == GroupState.FAILED).map(g -> g.name).toList();
        List<String> skippedGroups = groups.stream().filter(g -> g.state == GroupState.SKIPPED).map(g -> g.name)
                .toList();
        int failed = groups.stream().mapToInt(g -> g.failed).sum();
        int skipped = groups.stream().mapToInt(g -> g.skipped).sum() + s.unmatched;
        if (!failedGroups.isEmpty() || !skippedGroups.isEmpty()) {
            s.state = SetState.HALTED;
            s.reason = "group" + (failedGroups.size() == 1 ? " " : "s ") + quoted(failedGroups) + " failed"
                    + (skippedGroups.isEmpty() ? "" : ", so group" + (skippedGroups.size() == 1 ? " " : "s ")
                    + quoted(skippedGroups) + " did not start") + "; fix the cause and run 'flotilla rollout retry"
                    + " --set " + s.id + " --failed'";
        } else if (failed > 0) {
            s.state = SetState.FAILED;
            s.reason = failed + " target" + (failed == 1 ? "" : "s") + " failed";
        } else {
            s.state = SetState.PASSED;
            s.reason = skipped == 0 ? null : skipped + " target" + (skipped == 1 ? " was" : "s were") + " skipped";
        }
        s.actor = null;
        out.stateChanged = true;
        LOG.info("deployment set {} for env {} ended {}{}", s.id, s.env, s.state, s.reason == null ? ""
                : ": " + s.reason);
        if (s.state == SetState.PASSED && !s.dryRun && skipped == 0 && store.reached(c, s)) {
            out.reached = EnvReachedVersion.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setDeploymentSetId(s.id).setEnv(s.env).setDirectory(s.directory)
                    .setVersionId(s.versionId).setVersion(s.targetVersion).setTargets(s.planned).build();
        }
    }

    private static List<GroupRow> dependencies(GroupRow g, List<GroupRow> groups) {
        return groups.stream().filter(d -> g.dependsOn.contains(d.name)).toList();
    }

    /** Sends a group's pending targets, on lanes when it has a parallel limit. */
    private void dispatch(Connection c, SetRow s, GroupRow g, Out out) throws SQLException {
        int sent = store.move(c, s.id, g.name, TargetState.PENDING, TargetState.SENT, 1, null, null, null);
        if (sent == 0) {
            return;
        }
        g.add(TargetState.PENDING, -sent);
        g.add(TargetState.SENT, sent);
        out.sent.put(g.name, g);
    }

    /** Skips a group's targets not sent yet, publishing a SKIPPED result for each, with {@code why}. */
    private void skipPending(Connection c, SetRow s, GroupRow g, SkipKind kind, String why, Out out)
            throws SQLException {
        int skipped = store.move(c, s.id, g.name, TargetState.PENDING, TargetState.SKIPPED, 1, why, kind, null);
        if (skipped == 0) {
            return;
        }
        g.add(TargetState.PENDING, -skipped);
        g.add(TargetState.SKIPPED, skipped);
        out.skippedGroups.put(g.name, g);
    }

    private String firstFailure(Connection c, SetRow s, GroupRow g) throws SQLException {
        List<TargetRow> f = store.targetsIn(c, s.id, g.name, TargetState.FAILED, 1);
        return f.isEmpty() ? "" : " on target " + f.get(0).name() + ": " + clip(f.get(0).error());
    }

    private String failures(Connection c, SetRow s, GroupRow g) throws SQLException {
        StringBuilder b = new StringBuilder();
        for (TargetRow t : store.targetsIn(c, s.id, g.name, TargetState.FAILED, NAMED_FAILURES)) {
            b.append(b.length() == 0 ? ": " : "; ").append(t.name()).append(": ").append(clip(t.error()));
        }
        return b.toString();
    }

    private static String clip(String s) {
        if (s == null) {
            return "(no error text)";
        }
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= 200 ? one : one.substring(0, 197) + "...";
    }

    private static String percent(int part, int whole) {
        return percent(whole == 0 ? 0 : (double) part / whole);
    }

    private static String percent(double r) {
        return Math.round(r * 1000) / 10.0 + "%";
    }

    private static String groupName(GroupRow g) {
        return FLAT.equals(g.name) ? "(all targets)" : "\"" + g.name + "\"";
    }

    private static String quoted(List<String> names) {
        return String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList());
    }

    // ---------------------------------------------------------------------------------------------
    // Operators

    /** What an operator may do to a set. */
    enum Action { PAUSE, RESUME, CANCEL, RETRY, SKIP }

    /**
     * Applies an operator's action.
     *
     * @param target for RETRY and SKIP: the target's name; for RETRY null means every failed target
     * @param reason for SKIP: why, shown on the target
     * @param actor the token name, recorded as who did it
     * @return the set after the action, as the API shows it
     * @throws FlotillaException NOT_FOUND for an unknown set or target; REQUEST_INVALID when the set's
     *     state does not allow the action, saying what does
     */
    SetRow act(String setId, Action action, String target, String reason, String actor) {
        SetRow[] after = new SetRow[1];
        boolean found = change(setId, (c, s, groups, out) -> {
            switch (action) {
                case PAUSE -> pause(s, actor, out);
                case RESUME -> resume(c, s, groups, actor, out);
                case CANCEL -> cancel(c, s, groups, actor, out);
                case RETRY -> retry(c, s, groups, target, actor, out);
                default -> skip(c, s, groups, target, reason, actor, out);
            }
            evaluate(c, s, groups, out);
            after[0] = s;
        });
        if (!found) {
            throw new FlotillaException(ErrorCode.NOT_FOUND, "deployment set " + setId + " is not a rollout of this"
                    + " coordinator; list sets with 'flotilla cloud migration list'");
        }
        return after[0];
    }

    private static void pause(SetRow s, String actor, Out out) {
        if (s.state != SetState.RUNNING) {
            throw notNow(s, "pause", s.state == SetState.PAUSED ? "it is paused already; resume it with 'flotilla"
                    + " rollout resume --set " + s.id + "'" : "only a running set can be paused");
        }
        s.state = SetState.PAUSED;
        s.actor = actor;
        s.reason = "paused by " + actor;
        out.stateChanged = true;
    }

    private void resume(Connection c, SetRow s, List<GroupRow> groups, String actor, Out out) throws SQLException {
        if (s.state != SetState.PAUSED) {
            throw notNow(s, "resume", s.state == SetState.HALTED || s.state == SetState.FAILED
                    ? "run its failed targets again with 'flotilla rollout retry --set " + s.id + " --failed'"
                    : "only a paused set can be resumed");
        }
        s.state = SetState.RUNNING;
        s.actor = actor;
        s.reason = "resumed by " + actor;
        for (GroupRow g : groups) {
            // A halt counts only failures after this resume.
            g.ackFailed = g.failed;
            g.ackFinished = g.finished();
            g.dirty = true;
        }
        out.stateChanged = true;
        redispatch(c, s, groups, out);
    }

    private void cancel(Connection c, SetRow s, List<GroupRow> groups, String actor, Out out) throws SQLException {
        if (s.state.done()) {
            throw notNow(s, "cancel", "it has ended");
        }
        s.state = SetState.CANCELLED;
        s.actor = actor;
        s.reason = "cancelled by " + actor;
        for (GroupRow g : groups) {
            skipPending(c, s, g, SkipKind.CANCELLED, "not started: the rollout was cancelled by " + actor, out);
            if (g.state == GroupState.WAITING) {
                g.state = GroupState.SKIPPED;
                g.dirty = true;
            }
        }
        out.stateChanged = true;
    }

    private void retry(Connection c, SetRow s, List<GroupRow> groups, String target, String actor, Out out)
            throws SQLException {
        if (s.state == SetState.CANCELLED) {
            throw notNow(s, "retry", "a cancelled set stays cancelled; start a new one with 'flotilla migrate apply"
                    + " --env " + s.env + "'");
        }
        int retried = 0;
        if (target != null) {
            TargetRow t = targetNamed(c, s, target);
            if (t.state() != TargetState.FAILED && t.state() != TargetState.SKIPPED) {
                throw new FlotillaException(ErrorCode.REQUEST_INVALID, "target \"" + target + "\" of deployment set "
                        + s.id + " is " + t.state() + "; only a FAILED or SKIPPED target can be retried");
            }
            store.updateTargets(c, s.id, List.of(new TargetChange(t.targetId(), TargetState.PENDING, t.attempt(), null,
                    null)));
        } else {
            for (GroupRow g : groups) { // one statement per group, however many failed
                retried += store.move(c, s.id, g.name, TargetState.FAILED, TargetState.PENDING, 0, null, null, null);
            }
            if (retried == 0) {
                throw notNow(s, "retry", "it has no failed target");
            }
        }
        // Groups that failed or were skipped for another's failure run again; their skipped targets too.
        for (GroupRow g : groups) {
            if (g.state == GroupState.SKIPPED && s.state != SetState.CANCELLED) {
                store.move(c, s.id, g.name, TargetState.SKIPPED, TargetState.PENDING, 0, null, null,
                        SkipKind.DEPENDENCY);
                g.state = GroupState.WAITING;
            }
        }
        store.recount(c, s.id, groups);
        for (GroupRow g : groups) {
            if ((g.state == GroupState.FAILED || g.state == GroupState.COMPLETE) && g.pending > 0) {
                store.move(c, s.id, g.name, TargetState.SKIPPED, TargetState.PENDING, 0, null, null, SkipKind.GROUP);
                g.state = GroupState.RUNNING;
            }
        }
        store.recount(c, s.id, groups);
        if (s.state.done()) {
            s.state = SetState.RUNNING;
        }
        s.actor = actor;
        s.reason = "retried by " + actor + (target == null ? " (" + retried + " failed)" : " (" + target + ")");
        for (GroupRow g : groups) {
            g.ackFailed = g.failed;
            g.ackFinished = g.finished();
        }
        out.stateChanged = true;
        if (s.state == SetState.RUNNING) {
            redispatch(c, s, groups, out);
        }
    }

    private void skip(Connection c, SetRow s, List<GroupRow> groups, String target, String reason, String actor,
            Out out) throws SQLException {
        if (target == null || reason == null || reason.isBlank()) {
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, "skipping needs a target and a reason: 'flotilla"
                    + " rollout skip --set " + s.id + " --target NAME --reason \"why\"'");
        }
        if (s.state == SetState.CANCELLED) {
            throw notNow(s, "skip a target of", "a cancelled set's targets not started are skipped already");
        }
        TargetRow t = targetNamed(c, s, target);
        if (t.state() == TargetState.PASSED || t.state() == TargetState.SKIPPED) {
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, "target \"" + target + "\" of deployment set " + s.id
                    + " is " + t.state() + " already; nothing to skip");
        }
        String why = "skipped by " + actor + ": " + reason.strip();
        GroupRow g = groups.stream().filter(x -> x.name.equals(t.group())).findFirst().orElseThrow();
        g.add(t.state(), -1);
        g.add(TargetState.SKIPPED, 1);
        // One attempt up: a result of the command it may still be running is older, and ignored.
        store.updateTargets(c, s.id, List.of(new TargetChange(t.targetId(), TargetState.SKIPPED, t.attempt() + 1, why,
                SkipKind.OPERATOR)));
        out.skipped.add(skippedResult(s, t.targetId(), t.name(), t.redactedUrl(), t.attempt() + 1, "OPERATOR", why));
        if (s.state.done() && s.state != SetState.PASSED) {
            s.state = SetState.RUNNING; // evaluate ends it again, counting the skip
        }
        s.actor = actor;
    }

    private TargetRow targetNamed(Connection c, SetRow s, String name) throws SQLException {
        String id = Topics.targetId(s.env, name);
        TargetRow t = store.targets(c, s.id, List.of(id)).get(id);
        if (t == null) {
            throw new FlotillaException(ErrorCode.NOT_FOUND, "deployment set " + s.id + " has no target \"" + name
                    + "\" in env \"" + s.env + "\"; see its targets with 'flotilla cloud migration describe --id "
                    + s.id + "'");
        }
        return t;
    }

    /** Sends again the pending targets of running groups (after a pause or a retry). */
    private void redispatch(Connection c, SetRow s, List<GroupRow> groups, Out out) throws SQLException {
        for (GroupRow g : groups) {
            if (g.state == GroupState.RUNNING && g.pending > 0) {
                dispatch(c, s, g, out);
            }
        }
    }

    private static FlotillaException notNow(SetRow s, String action, String why) {
        return new FlotillaException(ErrorCode.REQUEST_INVALID, "cannot " + action + " deployment set " + s.id
                + ": it is " + s.state + "; " + why);
    }

    // ---------------------------------------------------------------------------------------------
    // One change of one set

    /** A change of one set inside its transaction. */
    private interface Change {
        void apply(Connection c, SetRow s, List<GroupRow> groups, Out out) throws SQLException;
    }

    /**
     * What one change publishes. The targets it sent or skipped a group at a time are not held: the
     * publication reads them back from the store, the rows this transaction moved, in pages.
     */
    private static final class Out {
        /** Groups whose pending targets this change sent. */
        final Map<String, GroupRow> sent = new LinkedHashMap<>();
        /** Groups whose pending targets this change skipped. */
        final Map<String, GroupRow> skippedGroups = new LinkedHashMap<>();
        /** Results of single targets skipped (by an operator). */
        final List<MigrationResult> skipped = new ArrayList<>();
        boolean stateChanged;
        EnvReachedVersion reached;

        boolean empty() {
            return sent.isEmpty() && skippedGroups.isEmpty() && skipped.isEmpty() && !stateChanged && reached == null;
        }
    }

    /**
     * Runs a change of a set in a transaction holding its row lock, publishes what it produced, then
     * commits. False when the set is not one of this coordinator's rollouts.
     */
    private boolean change(String setId, Change change) {
        EnvReachedVersion reached;
        try (Connection c = store.transaction()) {
            try {
                Optional<SetRow> locked = store.lock(c, setId);
                if (locked.isEmpty()) {
                    c.rollback();
                    return false;
                }
                SetRow s = locked.get();
                List<GroupRow> groups = store.groups(c, setId);
                Out out = new Out();
                change.apply(c, s, groups, out);
                if (out.stateChanged) {
                    s.epoch++;
                    store.update(c, s);
                }
                store.updateGroups(c, setId, groups);
                if (!out.empty()) {
                    publish(c, s, groups, out);
                }
                c.commit();
                reached = out.reached;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw store(e);
        }
        if (reached != null) {
            onReached.accept(reached);
        }
        return true;
    }

    private void publish(Connection c, SetRow s, List<GroupRow> groups, Out out) {
        send("rollout of deployment set " + s.id, sink -> {
            if (out.stateChanged) {
                sink.send(Topics.ROLLOUTS, s.id, changed(s, groups));
            }
            for (GroupRow g : out.sent.values()) {
                int[] n = {0};
                inStore(() -> store.forEachTarget(c, s.id, g.name, TargetState.SENT, true, t -> {
                    sink.send(Topics.COMMANDS, key(s, g, t.targetId(), n[0]), command(s, g, t.targetId(), t.name(),
                            t.redactedUrl(), t.ord(), t.attempt(), n[0]), slot(s, g, n[0]));
                    n[0]++;
                }));
            }
            for (GroupRow g : out.skippedGroups.values()) {
                inStore(() -> store.forEachTarget(c, s.id, g.name, TargetState.SKIPPED, true, t -> sink.send(
                        Topics.RESULTS, t.targetId(), skippedResult(s, t.targetId(), t.name(), t.redactedUrl(),
                        t.attempt(), t.skip().name(), t.error()))));
            }
            for (MigrationResult r : out.skipped) {
                sink.send(Topics.RESULTS, r.getTargetId(), r);
            }
            if (out.reached != null) {
                sink.send(Topics.ROLLOUTS, s.env + "/" + s.directory, out.reached);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Events

    private static String lane(SetRow s, GroupRow g, int n) {
        return g.parallel > 0 ? s.id + "/" + g.name + "/" + (n % g.parallel) : null;
    }

    /**
     * A command's key: its lane when its group has a parallel limit (one partition per lane), else
     * its target (its partition then comes from {@link #slot}).
     */
    private static String key(SetRow s, GroupRow g, String targetId, int n) {
        String lane = lane(s, g, n);
        return lane != null ? lane : targetId;
    }

    /**
     * Where a command goes: a lane's on its key's partition; any other command of the group
     * round-robin over the partitions from a place that depends on the set, so each worker gets an
     * equal share of the set. Keyed by target, a 1,000-target set fell 237/257/218/288 on four
     * workers (murmur2 of the names), and the one with 288 ended last.
     */
    private static int slot(SetRow s, GroupRow g, int n) {
        return g.parallel > 0 ? EventTx.Sink.BY_KEY : (s.id.hashCode() & 0xffff) + n;
    }

    private static MigrationCommand command(SetRow s, GroupRow g, String targetId, String name, String redactedUrl,
            int ord, int attempt, int n) {
        return MigrationCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(s.id).setTargetId(targetId).setCommandId(s.id + "/" + g.ord + "/" + ord)
                .setEnv(s.env).setDirectory(s.directory).setVersionId(s.versionId).setTargetVersion(s.targetVersion)
                .setTargetName(name).setRedactedUrl(redactedUrl).setAttempt(attempt).setDryRun(s.dryRun)
                .setIndex(ord).setPlanned(s.planned).setBaseline(s.baseline).setTxMode(s.txMode)
                .setGroup(FLAT.equals(g.name) ? null : g.name).setLane(lane(s, g, n)).setControlEpoch(s.epoch).build();
    }

    static DeploymentSetCreated created(SetRow s, String error) {
        return DeploymentSetCreated.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(s.createdAt)
                .setDeploymentSetId(s.id).setEnv(s.env).setDirectory(s.directory).setVersionId(s.versionId)
                .setTag(s.tag).setTargetVersion(s.targetVersion).setPlanned(s.planned).setTrigger(s.trigger)
                .setDryRun(s.dryRun).setError(error).build();
    }

    private static RolloutChanged changed(SetRow s, List<GroupRow> groups) {
        List<String> stopped = groups.stream().filter(g -> g.state == GroupState.FAILED).map(g -> g.name).toList();
        return RolloutChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(s.id).setEnv(s.env).setDirectory(s.directory).setVersionId(s.versionId)
                .setTargetVersion(s.targetVersion).setEpoch(s.epoch).setState(s.state.name())
                .setStoppedGroups(stopped).setReason(s.reason).setActor(s.actor).setPlanned(s.planned)
                .setSucceeded(groups.stream().mapToInt(g -> g.passed).sum())
                .setFailed(groups.stream().mapToInt(g -> g.failed).sum())
                .setSkipped(groups.stream().mapToInt(g -> g.skipped).sum() + s.unmatched).build();
    }

    private static MigrationResult skippedResult(SetRow s, String targetId, String name, String redactedUrl,
            int attempt, String code, String why) {
        Instant now = Instant.now();
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(now)
                .setDeploymentSetId(s.id).setTargetId(targetId).setCommandId(s.id + "/skip/" + name)
                .setAttempt(attempt).setEnv(s.env).setDirectory(s.directory).setVersionId(s.versionId)
                .setTargetName(name).setRedactedUrl(redactedUrl).setStatus("SKIPPED").setToVersion(s.targetVersion)
                .setFiles(List.of()).setError(why).setErrorCode(code).setStartedAt(now).setEndedAt(now)
                .setWorkerId("coordinator").build();
    }

    private static FlotillaException store(SQLException e) {
        return new FlotillaException(ErrorCode.CONNECTION_FAILED, "coordinator store: " + e.getMessage(), e);
    }
}
