package dev.flotilla.aggregator;

import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.FileLog;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.flotilla.aggregator.ViewStatements.COMMAND_DATABASE;
import static dev.flotilla.aggregator.ViewStatements.COMMAND_DEPLOYMENT;
import static dev.flotilla.aggregator.ViewStatements.DIRECTORY;
import static dev.flotilla.aggregator.ViewStatements.ENSURE_SET;
import static dev.flotilla.aggregator.ViewStatements.FAN_OUT;
import static dev.flotilla.aggregator.ViewStatements.FAN_OUT_EXISTING;
import static dev.flotilla.aggregator.ViewStatements.PROGRESS;
import static dev.flotilla.aggregator.ViewStatements.RESULT;
import static dev.flotilla.aggregator.ViewStatements.RESULTS;
import static dev.flotilla.aggregator.ViewStatements.RESULTS_APPLIED;
import static dev.flotilla.aggregator.ViewStatements.RESULT_APPLIED;
import static dev.flotilla.aggregator.ViewStatements.SET_INSERT;
import static dev.flotilla.aggregator.ViewStatements.SET_UPDATE;
import static dev.flotilla.aggregator.ViewStatements.SKIPPED_APPLIED;

/**
 * Applies a batch of events to the views with idempotent upserts: any event may arrive twice or
 * out of order (a result before its command), and a result from an older attempt never overwrites
 * a newer one. Runs inside the caller's transaction.
 *
 * <p>A batch costs a round trip per kind of statement, not per event: each {@linkplain Segments
 * segment} is applied phase by phase (directories, sets, the sets commands and results refer to,
 * commands, progress, results, then the files and database rows of the results that changed their
 * deployment), each phase one JDBC batch, which the driver pipelines, or one set-based statement
 * for a fan-out's commands. Then {@link ViewCounters} moves the counts and every set touched gets
 * its {@code last_event_at} once.
 */
final class JdbcViewWriter {
    /** A result's status when the target did not run in this attempt (errorCode says why). */
    static final String SKIPPED = "SKIPPED";
    /** The errorCode of a SKIPPED result that is not terminal: the set was paused, the command comes again. */
    static final String SET_PAUSED = "SET_PAUSED";
    /**
     * What a batch did.
     *
     * @param changed indices of the results that changed the views (update count 1: not stale)
     * @param newDeployments deployment rows the batch's commands inserted
     * @param sets ids of the sets that exist in the views once the batch commits
     * @param newRows database rows the batch inserted, for the page marks
     */
    record Applied(List<Integer> changed, int newDeployments, Set<String> sets, PageMarks.NewRows newRows) {
    }

    private final Connection c;
    private final Set<String> knownSets;

    JdbcViewWriter(Connection c) {
        this(c, Collections.emptySet());
    }

    /** {@code knownSets}: ids of sets known to exist in the views, which need no ensuring. */
    JdbcViewWriter(Connection c, Set<String> knownSets) {
        this.c = c;
        this.knownSets = knownSets;
    }

    /**
     * Applies decoded events (other types are ignored), in order as far as the views can tell, and
     * counts the new database rows in the page marks: the transaction's last step.
     */
    Applied apply(List<?> events) throws SQLException {
        Applied applied = write(events);
        PageMarks.count(c, applied.newRows());
        return applied;
    }

    /**
     * {@link #apply} but for the page marks: the caller counts {@link Applied#newRows} with
     * {@link PageMarks#count} once it will write nothing more before committing.
     */
    Applied write(List<?> events) throws SQLException {
        Touched touched = new Touched(earlyProgress(events));
        List<Integer> changed = new ArrayList<>();
        int inserted = 0;
        for (List<Integer> segment : Segments.split(events)) {
            inserted += apply(new Segment(events, segment), touched, changed);
        }
        for (int i : touched.early) {
            MigrationProgress p = (MigrationProgress) events.get(i);
            if (!touched.created.contains(p.getDeploymentSetId())) {
                touched.time(p.getDeploymentSetId(), p.getOccurredAt(), null);
            }
        }
        new ViewCounters(c).settle(touched.sets, touched.targets, touched.times, touched.newRows);
        return new Applied(changed, inserted, touched.referenced, touched.newRows);
    }

    /**
     * Progress events that come before anything in the batch that creates their set: one by one,
     * they would move the set's last event only if it existed before the batch.
     */
    private static Set<Integer> earlyProgress(List<?> events) {
        Set<String> creating = new HashSet<>();
        Set<Integer> early = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            Object e = events.get(i);
            if (e instanceof DeploymentSetCreated) {
                creating.add(((DeploymentSetCreated) e).getDeploymentSetId());
            } else if (e instanceof MigrationCommand) {
                creating.add(((MigrationCommand) e).getDeploymentSetId());
            } else if (e instanceof MigrationResult) {
                creating.add(((MigrationResult) e).getDeploymentSetId());
            } else if (e instanceof MigrationProgress && !creating.contains(
                    ((MigrationProgress) e).getDeploymentSetId())) {
                early.add(i);
            }
        }
        return early;
    }

    private int apply(Segment s, Touched touched, List<Integer> changed) throws SQLException {
        batch(DIRECTORY, s.directories, e -> new Object[] {e.getDirectory(), e.getTag(), e.getVersionId(),
            e.getLatestVersion(), e.getFileCount(), ts(e.getOccurredAt()), array("text", e.getVersions().toArray())});
        sets(s.sets, touched);
        ensureSets(s, touched);
        int inserted = commands(s.commands, touched);
        batch(PROGRESS, s.progress, p -> new Object[] {p.getAttempt(), ts(p.getOccurredAt()),
            ts(p.getOccurredAt()), p.getDeploymentSetId(), p.getTargetId(), p.getAttempt()});
        for (int i = 0; i < s.progress.size(); i++) {
            MigrationProgress p = s.progress.get(i);
            touched.deployment(p.getDeploymentSetId(), p.getTargetId());
            if (!touched.early.contains(s.progressIndices.get(i))) { // early ones: see apply
                touched.time(p.getDeploymentSetId(), p.getOccurredAt(), null);
            }
        }
        results(s, touched, changed);
        return inserted;
    }

    /**
     * Set events: update first, insert only when missing (an upsert would burn a sequence number,
     * the set's user-facing ID, on every conflict). The last event of a set wins, as it would one
     * by one.
     */
    private void sets(List<DeploymentSetCreated> events, Touched touched) throws SQLException {
        Map<String, DeploymentSetCreated> last = new LinkedHashMap<>();
        events.forEach(e -> last.put(e.getDeploymentSetId(), e));
        touched.refer(last.keySet());
        List<DeploymentSetCreated> sets = List.copyOf(last.values());
        Args<DeploymentSetCreated> args = e -> new Object[] {e.getEnv(), e.getDirectory(),
            e.getVersionId(), e.getTag(), e.getTargetVersion(), e.getPlanned(), e.getTrigger(), e.getDryRun(),
            e.getError(), ts(e.getOccurredAt()), e.getDeploymentSetId(), ts(e.getOccurredAt())};
        int[] updated = batch(SET_UPDATE, sets, e -> Arrays.copyOf(args.of(e), 11));
        List<DeploymentSetCreated> missing = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            if (updated[i] == 0) {
                missing.add(sets.get(i));
            }
        }
        batch(SET_INSERT, missing, args);
        missing.forEach(e -> touched.created.add(e.getDeploymentSetId()));
    }

    /** The sets that commands and results refer to exist, if only with what the first of those events knows. */
    private void ensureSets(Segment s, Touched touched) throws SQLException {
        Map<String, Object[]> sets = new LinkedHashMap<>();
        for (Object[] a : s.setReferences) {
            if (!knownSets.contains((String) a[0])) {
                sets.putIfAbsent((String) a[0], a);
            }
            touched.refer(Collections.singleton((String) a[0]));
        }
        List<Object[]> ensure = List.copyOf(sets.values());
        int[] n = batch(ENSURE_SET, ensure, a -> a);
        for (int i = 0; i < n.length; i++) {
            if (n[i] > 0) {
                touched.created.add((String) ensure.get(i)[0]);
            }
        }
    }

    private int commands(List<MigrationCommand> commands, Touched touched) throws SQLException {
        commands.forEach(e -> touched.deployment(e.getDeploymentSetId(), e.getTargetId()));
        if (commands.size() > 1 && commands.stream().map(MigrationCommand::getTargetId).distinct().count()
                == commands.size()) {
            return fanOut(commands, touched.newRows);
        }
        // A target twice: an upsert statement cannot write one row twice, so row by row.
        int inserted = 0;
        for (int n : batch(COMMAND_DEPLOYMENT, commands, e -> new Object[] {e.getDeploymentSetId(), e.getTargetId(),
            e.getTargetName(), e.getEnv(), e.getDirectory(), e.getRedactedUrl(), e.getTargetVersion(),
            ts(e.getOccurredAt()), e.getGroup()})) {
            inserted += Math.max(0, n);
        }
        batch(COMMAND_DATABASE, commands, e -> new Object[] {e.getTargetId(), e.getEnv(), e.getTargetName(),
            e.getDirectory(), e.getRedactedUrl(), e.getTargetVersion(), ts(e.getOccurredAt())});
        return inserted;
    }

    /**
     * Commands of distinct targets: the new rows in one statement, then the commands of targets
     * whose database row existed in another (it sees rows other transactions inserted meanwhile).
     */
    private int fanOut(List<MigrationCommand> commands, PageMarks.NewRows newRows) throws SQLException {
        int inserted;
        Set<String> created = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(FAN_OUT)) {
            bindColumns(ps, commands, e -> new Object[] {e.getDeploymentSetId(), e.getTargetId(), e.getTargetName(),
                e.getEnv(), e.getDirectory(), e.getRedactedUrl(), e.getTargetVersion(), text(e.getOccurredAt()),
                e.getGroup()});
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                inserted = rs.getInt(1);
                java.sql.Array ids = rs.getArray(2);
                if (ids != null) {
                    String[] targets = (String[]) ids.getArray();
                    String[] envs = (String[]) rs.getArray(3).getArray();
                    String[] names = (String[]) rs.getArray(4).getArray();
                    Long[] seqs = (Long[]) rs.getArray(5).getArray();
                    created.addAll(Arrays.asList(targets));
                    for (int i = 0; i < targets.length; i++) {
                        newRows.add(envs[i], names[i], seqs[i]);
                    }
                }
            }
        }
        List<MigrationCommand> existing = new ArrayList<>();
        commands.stream().filter(e -> !created.contains(e.getTargetId())).forEach(existing::add);
        if (!existing.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(FAN_OUT_EXISTING)) {
                bindColumns(ps, existing, e -> new Object[] {e.getTargetId(), e.getEnv(), e.getTargetName(),
                    e.getDirectory(), e.getRedactedUrl(), e.getTargetVersion(), text(e.getOccurredAt())});
                ps.executeUpdate();
            }
        }
        return inserted;
    }

    /** Binds one text array per column: the statement unnests them into rows. */
    private <T> void bindColumns(PreparedStatement ps, List<T> rows, Args<T> args) throws SQLException {
        bindColumns(ps, 0, -1, rows, args, null);
    }

    /**
     * Binds one array per column from the first parameter, text but for the columns of {@code type};
     * returns the number of parameters bound.
     */
    private <T> int bindColumns(PreparedStatement ps, List<T> rows, Args<T> args, String type, int... typed)
            throws SQLException {
        return bindColumns(ps, 0, -1, rows, args, type, typed);
    }

    /**
     * Binds one array per column after the first {@code offset} parameters ({@code width} columns,
     * or as many as a row has when -1: rows may then not be empty), text but for the columns of
     * {@code type}; returns {@code offset} plus the number of columns bound.
     */
    private <T> int bindColumns(PreparedStatement ps, int offset, int width, List<T> rows, Args<T> args,
            String type, int... typed) throws SQLException {
        Object[][] columns = width < 0 ? null : new Object[width][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = args.of(rows.get(i));
            columns = columns == null ? new Object[row.length][rows.size()] : columns;
            for (int k = 0; k < row.length; k++) {
                columns[k][i] = row[k];
            }
        }
        for (int k = 0; columns != null && k < columns.length; k++) {
            boolean isTyped = false;
            for (int t : typed) {
                isTyped |= t == k;
            }
            ps.setObject(offset + k + 1, array(isTyped ? type : "text", columns[k]));
        }
        return offset + (columns == null ? 0 : columns.length);
    }

    /**
     * Results, then the files and database rows of those that changed the deployment (update count
     * 1). A result SKIPPED because its set was paused is not the end of its deployment: it shows
     * QUEUED, with the code and the message, until a later attempt's result comes; other SKIPPED
     * results are terminal but leave the database as it was ({@link ViewStatements#SKIPPED_APPLIED}).
     */
    private void results(Segment s, Touched touched, List<Integer> changed) throws SQLException {
        if (s.results.size() > 1 && s.results.stream().map(MigrationResult::getTargetId).distinct().count()
                == s.results.size()) {
            distinctResults(s, touched, changed);
            return;
        }
        // A target twice: an upsert statement cannot write one row twice, so row by row, in order.
        int[] n = batch(RESULT, s.results, r -> new Object[] {r.getDeploymentSetId(), r.getTargetId(),
            r.getTargetName(), r.getEnv(), r.getDirectory(), r.getRedactedUrl(), deploymentStatus(r), r.getAttempt(),
            r.getFromVersion(), r.getToVersion(), r.getCurrentVersion(), r.getDatabaseId(), r.getError(),
            r.getErrorCode(), paused(r) ? null : ts(r.getStartedAt()), paused(r) ? null : ts(r.getEndedAt()),
            ts(r.getOccurredAt()), r.getWorkerId()});
        // The follow-ups in event order: a run of results of one kind is one batch.
        List<MigrationResult> run = new ArrayList<>();
        boolean runSkipped = false;
        for (int i = 0; i < n.length; i++) {
            MigrationResult r = s.results.get(i);
            touched.deployment(r.getDeploymentSetId(), r.getTargetId());
            if (n[i] > 0) {
                changed.add(s.resultIndices.get(i));
                touched.time(r.getDeploymentSetId(), r.getOccurredAt(), paused(r) ? null : r.getEndedAt());
                if (paused(r)) {
                    continue;
                }
                boolean skipped = SKIPPED.equals(r.getStatus());
                if (skipped != runSkipped) {
                    followUps(run, runSkipped);
                    run.clear();
                    runSkipped = skipped;
                }
                run.add(r);
            }
        }
        followUps(run, runSkipped);
    }

    /**
     * Results of distinct targets: no two touch the same row, so their order does not matter and
     * each statement takes them all at once ({@link ViewStatements#RESULTS}, then
     * {@link ViewStatements#RESULTS_APPLIED} for those that changed their deployment).
     */
    private void distinctResults(Segment s, Touched touched, List<Integer> changed) throws SQLException {
        Set<String> moved = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(RESULTS)) {
            bindColumns(ps, s.results, r -> new Object[] {r.getDeploymentSetId(), r.getTargetId(), r.getTargetName(),
                r.getEnv(), r.getDirectory(), r.getRedactedUrl(), deploymentStatus(r), r.getAttempt(),
                r.getFromVersion(), r.getToVersion(), r.getCurrentVersion(), r.getDatabaseId(), r.getError(),
                r.getErrorCode(), paused(r) ? null : text(r.getStartedAt()), paused(r) ? null : text(r.getEndedAt()),
                text(r.getOccurredAt()), r.getWorkerId()}, "int4", 7);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    moved.add(rs.getString(1));
                }
            }
        }
        List<MigrationResult> applied = new ArrayList<>();
        List<MigrationResult> skipped = new ArrayList<>();
        for (int i = 0; i < s.results.size(); i++) {
            MigrationResult r = s.results.get(i);
            touched.deployment(r.getDeploymentSetId(), r.getTargetId());
            if (!moved.contains(r.getTargetId())) {
                continue;
            }
            changed.add(s.resultIndices.get(i));
            touched.time(r.getDeploymentSetId(), r.getOccurredAt(), paused(r) ? null : r.getEndedAt());
            if (!paused(r)) {
                (SKIPPED.equals(r.getStatus()) ? skipped : applied).add(r);
            }
        }
        followUps(skipped, true);
        if (applied.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(RESULTS_APPLIED)) {
            int k = bindColumns(ps, applied, r -> new Object[] {r.getDeploymentSetId(), r.getTargetId(), r.getEnv(),
                r.getTargetName(), r.getDirectory(), r.getRedactedUrl(), r.getDatabaseId(), r.getCurrentVersion(),
                r.getToVersion(), databaseStatus(r), text(r.getEndedAt()), r.getError(), text(r.getOccurredAt()),
                r.getFiles().size()}, "int4", 13);
            List<Object[]> files = new ArrayList<>();
            for (MigrationResult r : applied) {
                for (int i = 0; i < r.getFiles().size(); i++) {
                    FileLog l = r.getFiles().get(i);
                    files.add(new Object[] {r.getDeploymentSetId(), r.getTargetId(), i, l.getName(), l.getVersion(),
                        l.getDescription(), text(l.getStartedAt()), text(l.getEndedAt()), l.getSkipped(),
                        JsonText.array(l.getApplied()), l.getErrorStmt(), l.getErrorText()});
                }
            }
            bindColumns(ps, k, 12, files, row -> row, "int4", 2, 8);
            ps.executeUpdate();
        }
    }

    private void followUps(List<MigrationResult> results, boolean skipped) throws SQLException {
        if (!skipped) {
            batch(RESULT_APPLIED, results, this::applied);
            return;
        }
        batch(SKIPPED_APPLIED, results, r -> new Object[] {r.getDeploymentSetId(), r.getTargetId(), r.getTargetId(),
            r.getEnv(), r.getTargetName(), r.getDirectory(), r.getRedactedUrl(), r.getDatabaseId(),
            r.getCurrentVersion(), r.getToVersion(), ts(r.getOccurredAt())});
    }

    /** A worker skipped the command because its set is paused: another attempt follows. */
    static boolean paused(MigrationResult r) {
        return SKIPPED.equals(r.getStatus()) && SET_PAUSED.equals(r.getErrorCode());
    }

    /** The deployment's status after a result: QUEUED for a paused skip, else the result's. */
    static String deploymentStatus(MigrationResult r) {
        return paused(r) ? "QUEUED" : r.getStatus();
    }

    private Object[] applied(MigrationResult r) throws SQLException {
        List<FileLog> files = r.getFiles();
        Object[][] f = new Object[9][files.size()];
        for (int i = 0; i < files.size(); i++) {
            FileLog l = files.get(i);
            f[0][i] = l.getName();
            f[1][i] = l.getVersion();
            f[2][i] = l.getDescription();
            f[3][i] = text(l.getStartedAt());
            f[4][i] = text(l.getEndedAt());
            f[5][i] = l.getSkipped();
            f[6][i] = JsonText.array(l.getApplied());
            f[7][i] = l.getErrorStmt();
            f[8][i] = l.getErrorText();
        }
        return new Object[] {array("text", f[0]), array("text", f[1]), array("text", f[2]), array("text", f[3]),
            array("text", f[4]), array("int4", f[5]), array("text", f[6]), array("text", f[7]), array("text", f[8]),
            r.getDeploymentSetId(), r.getTargetId(), r.getDeploymentSetId(), r.getTargetId(), r.getTargetId(),
            r.getEnv(), r.getTargetName(), r.getDirectory(), r.getRedactedUrl(), r.getDatabaseId(),
            r.getCurrentVersion(), r.getToVersion(), databaseStatus(r), r.getDeploymentSetId(), ts(r.getEndedAt()),
            r.getError(), ts(r.getOccurredAt())};
    }

    /** An array parameter: text arrays as a literal of our own ({@link #textArray}), others by the driver. */
    private Object array(String type, Object[] values) throws SQLException {
        return "text".equals(type) ? textArrayParameter(values) : c.createArrayOf(type, values);
    }

    /** A {@code text[]} parameter (bound with {@code setObject}) from the literal {@link #textArray} builds. */
    static org.postgresql.util.PGobject textArrayParameter(Object[] values) throws SQLException {
        org.postgresql.util.PGobject a = new org.postgresql.util.PGobject();
        a.setType("text[]");
        a.setValue(textArray(values));
        return a;
    }

    /**
     * The literal of a {@code text[]}: each element quoted, with double quotes and backslashes escaped and
     * the rest copied in runs, null as {@code NULL}. The driver's own ({@code createArrayOf}) looks
     * at every character on its way into a builder: a fifth of the aggregator's consume loop in a
     * SQLite rollout's profile.
     */
    static String textArray(Object[] values) {
        StringBuilder b = new StringBuilder(2 + values.length * 24);
        b.append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            if (values[i] == null) {
                b.append("NULL");
                continue;
            }
            String v = values[i].toString();
            b.append('"');
            int from = 0;
            for (int j = 0; j < v.length(); j++) {
                char ch = v.charAt(j);
                if (ch == '"' || ch == '\\') {
                    b.append(v, from, j).append('\\');
                    from = j;
                }
            }
            b.append(v, from, v.length()).append('"');
        }
        return b.append('}').toString();
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    /** SYNCED when at the version the deployment aimed for, FAILED when it failed, else PENDING. */
    static String databaseStatus(MigrationResult r) {
        if ("FAILED".equals(r.getStatus())) {
            return "FAILED";
        }
        if ("DRY_RUN".equals(r.getStatus())) {
            return r.getCurrentVersion() != null && r.getCurrentVersion().equals(r.getToVersion())
                    ? "SYNCED" : "PENDING";
        }
        return r.getToVersion() == null || r.getToVersion().equals(r.getCurrentVersion()) ? "SYNCED" : "PENDING";
    }

    /** One statement for all items, pipelined by the driver; the update count of each. */
    private <T> int[] batch(String sql, List<T> items, Args<T> args) throws SQLException {
        if (items.isEmpty()) {
            return new int[0];
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (T item : items) {
                Object[] a = args.of(item);
                for (int i = 0; i < a.length; i++) {
                    ps.setObject(i + 1, a[i]);
                }
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    /** The parameters of one statement of a batch. */
    @FunctionalInterface
    private interface Args<T> {
        Object[] of(T item) throws SQLException;
    }

    /** The events of one segment, by kind, in batch order. */
    private static final class Segment {
        final List<DirectoryPushed> directories = new ArrayList<>();
        final List<DeploymentSetCreated> sets = new ArrayList<>();
        final List<MigrationCommand> commands = new ArrayList<>();
        final List<MigrationProgress> progress = new ArrayList<>();
        final List<MigrationResult> results = new ArrayList<>();
        final List<Integer> resultIndices = new ArrayList<>();
        final List<Integer> progressIndices = new ArrayList<>();
        /** ENSURE_SET arguments from each command and result, in batch order. */
        final List<Object[]> setReferences = new ArrayList<>();

        Segment(List<?> events, List<Integer> indices) {
            for (int i : indices) {
                Object e = events.get(i);
                if (e instanceof DirectoryPushed) {
                    directories.add((DirectoryPushed) e);
                } else if (e instanceof DeploymentSetCreated) {
                    sets.add((DeploymentSetCreated) e);
                } else if (e instanceof MigrationCommand) {
                    MigrationCommand m = (MigrationCommand) e;
                    commands.add(m);
                    refer(m.getDeploymentSetId(), m.getEnv(), m.getDirectory(), m.getOccurredAt());
                } else if (e instanceof MigrationProgress) {
                    progress.add((MigrationProgress) e);
                    progressIndices.add(i);
                } else if (e instanceof MigrationResult) {
                    MigrationResult r = (MigrationResult) e;
                    results.add(r);
                    resultIndices.add(i);
                    refer(r.getDeploymentSetId(), r.getEnv(), r.getDirectory(), r.getOccurredAt());
                }
            }
        }

        private void refer(String set, String env, String directory, Instant at) {
            setReferences.add(new Object[] {set, env, directory, ts(at), ts(at), set});
        }
    }

    /** What a batch wrote, for the counts and the sets' times; sorted, so locks are taken in one order. */
    private static final class Touched {
        /** Indices of the progress events that came before anything creating their set ({@link #earlyProgress}). */
        final Set<Integer> early;
        /** Sets this batch inserted. */
        final Set<String> created = new HashSet<>();
        /** Sets that exist once this batch commits. */
        final Set<String> referenced = new HashSet<>();
        final Set<String> sets = new TreeSet<>();
        final Set<String> targets = new TreeSet<>();
        /** Per set: the latest progress or applied result, and the latest end of an applied result. */
        final Map<String, Instant[]> times = new TreeMap<>();
        /** Database rows inserted. */
        final PageMarks.NewRows newRows = new PageMarks.NewRows();

        Touched(Set<Integer> early) {
            this.early = early;
        }

        void refer(Collection<String> ids) {
            ids.stream().filter(java.util.Objects::nonNull).forEach(referenced::add);
        }

        void deployment(String set, String target) {
            if (set != null && target != null) {
                sets.add(set);
                targets.add(target);
            }
        }

        void time(String set, Instant event, Instant ended) {
            if (set == null) {
                return;
            }
            Instant[] t = times.computeIfAbsent(set, k -> new Instant[2]);
            t[0] = t[0] == null || event.isAfter(t[0]) ? event : t[0];
            t[1] = ended == null || t[1] != null && !ended.isAfter(t[1]) ? t[1] : ended;
        }
    }
}
