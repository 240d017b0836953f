package dev.flotilla.bench;

import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.sql.Dialect;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The halt run of {@code rollout-staged}: env {@code halting} rolls out through one group ordered
 * by name, {@code parallel} P (P lanes, each in name order), {@code on_error = CONTINUE} so that
 * only the halt threshold of {@code flotilla.hcl} stops it. Its directory has two files: the
 * {@code users} table, then a file that computes for a while ({@code --halt-work} rows of a
 * recursive CTE, counted) and inserts user 1. Every tenant after the first {@code --halt-after}
 * already has the first file (applied by the executor, so its revisions say so) and a user 1, so
 * the second file fails at its end, after as much work as a passing tenant does: a migration whose
 * failures show late, as a backfill's do. (A tenant failing at once, e.g. one that is not clean,
 * fails the whole fleet in a few tens of milliseconds, before any halt could be seen.)
 *
 * <p>The run ends when the coordinator has the set PAUSED (or ended) and no target sent and
 * unanswered; the topics then say when the threshold was crossed and what started after
 * ({@link HaltAnalysis}).
 */
final class HaltRun {
    /**
     * What the halt run saw.
     *
     * @param finalState the set's state in the coordinator's store at the end
     * @param analysis the crossing and what started after it
     * @param pushAt when the push was sent (epoch ms)
     * @param pausedAt record time of the RolloutChanged PAUSED event, or -1
     * @param startedAfterPaused results not SKIPPED whose target started after that event
     * @param results the set's results (SKIPPED ones included)
     * @param neverSent targets still PENDING in the coordinator (never reached a worker, or held back)
     * @param usage what the run cost
     */
    record Seen(String finalState, HaltAnalysis analysis, long pushAt, long pausedAt, int startedAfterPaused,
            List<TopicLog.Result> results, int neverSent, Usage usage) {
    }

    private final Session session;
    private final Fabric f;
    private final Fleet fleet;
    private final StagedBench.Options o;
    private final int parallel;

    HaltRun(Session session, Fabric f, Fleet fleet, StagedBench.Options o, int parallel) {
        this.session = session;
        this.f = f;
        this.fleet = fleet;
        this.o = o;
        this.parallel = parallel;
    }

    Seen run() throws Exception {
        List<String> bad = fleet.tenants().subList(Math.min(o.haltAfter, fleet.tenants().size()),
                fleet.tenants().size());
        Progress.say("Flotilla staged: halt run, %d tenants, %d of them failing after the first %d, parallel %d,"
                + " halt at failure_ratio %s once %d finished", fleet.tenants().size(), bad.size(), o.haltAfter,
                parallel, o.haltRatio, o.haltMinFinished);
        Path root = session.dir("workload-halt");
        Path first = directory(root.resolve("first"), 1);
        Path full = directory(root.resolve("full"), 2);
        ExecutorLoop firstFile = new ExecutorLoop(fleet, PreparedDirectory.of(MigrationDirectory.open(first),
                Dialect.SQLITE));
        dev.flotilla.bench.Outcome spoiled = TenantLoop.run(bad, parallel, "spoil", t -> {
            firstFile.run(t);
            try (Connection c = fleet.connect(t); Statement s = c.createStatement()) {
                s.execute("INSERT INTO users (id, name) VALUES (1, 'taken')");
            }
        });
        if (spoiled.failed() > 0) {
            throw new IllegalStateException("cannot prepare the failing tenants: " + spoiled.firstError());
        }
        byte[] archive = MigrationDirectory.open(full).toArchive();
        long[] pushAt = new long[1];
        String[] end = new String[2];
        Session.Measured<String[]> m;
        try (Connection store = DriverManager.getConnection(f.storeJdbc())) {
            m = session.measure("flotilla-staged-halt", () -> {
                pushAt[0] = System.currentTimeMillis();
                f.api().push("halting", "v1", archive);
                Probe.until(() -> settled(store, end) ? 1 : 0, 1, 25, FlotillaRun.timeoutMs(fleet.tenants().size()));
                return end;
            });
        }
        String setId = end[0];
        TopicLog log = new TopicLog(f.bootstrap());
        List<TopicLog.Result> results = log.results(setId);
        long pausedAt = log.rolloutStates(setId).stream().filter(s -> "PAUSED".equals(s.state()))
                .mapToLong(TopicLog.RolloutState::producedMillis).findFirst().orElse(-1);
        HaltAnalysis a = HaltAnalysis.of(results, o.haltRatio, o.haltMinFinished);
        return new Seen(end[1], a, pushAt[0], pausedAt, pausedAt < 0 ? 0
                : HaltAnalysis.startedLater(results, pausedAt, 0), results, count(setId, "PENDING"), m.usage());
    }

    /** The halt run's directory: its first {@code files} files, with atlas.sum. */
    private Path directory(Path dir, int files) throws java.io.IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("20260101000001_create_users.sql"), "CREATE TABLE users (\n  id integer"
                + " PRIMARY KEY,\n  name text NOT NULL,\n  email text\n);\n", StandardCharsets.UTF_8);
        if (files > 1) {
            Files.writeString(dir.resolve("20260101000002_backfill_users.sql"), "WITH RECURSIVE n(i) AS (SELECT 1"
                    + " UNION ALL SELECT i + 1 FROM n WHERE i < " + o.haltWork + ") SELECT count(*) FROM n;\n"
                    + "INSERT INTO users (id, name, email) VALUES (1, 'a8m', 'a8m@example.com');\n",
                    StandardCharsets.UTF_8);
        }
        MigrationDirectory.open(dir).writeSum(dir);
        return dir;
    }

    /**
     * Whether the coordinator has the halting env's set paused or ended with no target sent and
     * unanswered; fills {@code end} with the set id and its state.
     */
    private static boolean settled(Connection c, String[] end) {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT r.set_id, r.state, (SELECT count(*) FROM coordinator_rollout_targets t WHERE t.set_id ="
                + " r.set_id AND t.state = 'SENT') FROM coordinator_rollouts r WHERE r.env = 'halting'")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                end[0] = rs.getString(1);
                end[1] = rs.getString(2);
                return !"RUNNING".equals(end[1]) && rs.getLong(3) == 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the coordinator's store: " + e.getMessage(), e);
        }
    }

    private int count(String setId, String state) throws SQLException {
        try (Connection c = DriverManager.getConnection(f.storeJdbc()); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM coordinator_rollout_targets WHERE set_id = ? AND state = ?")) {
            ps.setString(1, setId);
            ps.setString(2, state);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
