package dev.flotilla.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The staged run of {@code scale-out}: whether each group's {@code parallel} holds across all the
 * worker processes. The env's {@code deployment} block is a canary (the first tenant, parallel 1),
 * then groups depending on it, each a contiguous range of tenant names with its own {@code parallel}.
 *
 * <p>Counted at the targets themselves: the directory's first statement inserts
 * {@code (tenant, 'start', clock_timestamp())} into {@value ScaleOutBench#MARKS}, a table in the
 * fleet's database outside every tenant's schema, and its last statement {@code 'end'}; a tenant
 * applies from its start row to its end row (each file commits on its own, and a file that failed
 * and ran again would leave its rows only once). Also counted from the results' {@code startedAt}
 * and {@code endedAt} (the workers' clocks, this machine's), which include taking the lock and
 * reading the revisions; both are reported.
 */
final class StagedLimits {
    private final Fleet fleet;
    private final List<Integer> parallels;
    private final List<String> names;
    private Row row;
    /** Per group: intervals at the targets (µs) and from the results (ms). */
    private final Map<String, List<long[]>> atTargets = new LinkedHashMap<>();
    private final Map<String, List<long[]>> fromResults = new LinkedHashMap<>();
    private int unmarked;

    StagedLimits(Fleet fleet, List<Integer> parallels) {
        if (parallels.isEmpty() || parallels.stream().anyMatch(p -> p < 1)) {
            throw new IllegalArgumentException("--scale-staged-parallel needs one or more values of at least 1, not "
                    + parallels);
        }
        if (fleet.tenants().size() < parallels.size() + 1) {
            throw new IllegalArgumentException("the staged run needs at least " + (parallels.size() + 1) + " tenants");
        }
        this.fleet = fleet;
        this.parallels = List.copyOf(parallels);
        this.names = fleet.tenants();
    }

    /** Creates the table the targets record their start and end in, in the fleet's database. */
    void prepare() {
        try (Connection c = DriverManager.getConnection(fleet.jdbcUrl(names.get(0)));
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS bench_probe");
            s.execute("CREATE TABLE IF NOT EXISTS " + ScaleOutBench.MARKS + " (tenant text NOT NULL, event text NOT"
                    + " NULL, at timestamptz NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + ScaleOutBench.MARKS + ": " + e.getMessage(), e);
        }
    }

    /** The {@code group} blocks of the deployment. */
    String groups() {
        StringBuilder b = new StringBuilder("  group \"canary\" {\n    match = var.name == \"" + names.get(0)
                + "\"\n  }\n");
        for (int i = 0; i < parallels.size(); i++) {
            b.append("  group \"").append(group(i)).append("\" {\n");
            if (i < parallels.size() - 1) {
                b.append("    match = var.name <= \"").append(names.get(last(i))).append("\"\n");
            }
            b.append("    parallel = ").append(parallels.get(i)).append("\n    depends_on = [group.canary]\n  }\n");
        }
        return b.toString();
    }

    String describe() {
        StringBuilder b = new StringBuilder("canary of 1, then ");
        for (int i = 0; i < parallels.size(); i++) {
            b.append(i == 0 ? "" : " + ").append("parallel ").append(parallels.get(i));
        }
        return b.toString();
    }

    private static String group(int i) {
        return "wave_" + (i + 1);
    }

    /** Index in {@link #names} of the last tenant of group {@code i} (but the last group, which takes the rest). */
    private int last(int i) {
        return Math.max(i + 1, (int) ((long) (i + 1) * names.size() / parallels.size()) - 1);
    }

    /** The group a tenant falls in, by the same rules the deployment block states. */
    String groupOf(String tenant) {
        if (tenant.equals(names.get(0))) {
            return "canary";
        }
        for (int i = 0; i < parallels.size() - 1; i++) {
            if (tenant.compareTo(names.get(last(i))) <= 0) {
                return group(i);
            }
        }
        return group(parallels.size() - 1);
    }

    private int parallelOf(String group) {
        return "canary".equals(group) ? 1 : parallels.get(Integer.parseInt(group.substring("wave_".length())) - 1);
    }

    /** Takes the measured run and reads back what the targets recorded. */
    void measured(Row row, List<TopicLog.Result> results) {
        this.row = row;
        for (TopicLog.Result r : results) {
            if ("SKIPPED".equals(r.status())) {
                continue;
            }
            String tenant = r.targetId().substring(r.targetId().indexOf('/') + 1);
            fromResults.computeIfAbsent(groupOf(tenant), g -> new ArrayList<>())
                    .add(new long[] {r.startedMillis(), r.endedMillis()});
        }
        Map<String, long[]> marks = new HashMap<>();
        try (Connection c = DriverManager.getConnection(fleet.jdbcUrl(names.get(0)));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tenant, event, (extract(epoch FROM at) * 1000000)::bigint FROM "
                     + ScaleOutBench.MARKS)) {
            while (rs.next()) {
                long[] m = marks.computeIfAbsent(rs.getString(1), t -> new long[] {-1, -1});
                m["start".equals(rs.getString(2)) ? 0 : 1] = rs.getLong(3);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + ScaleOutBench.MARKS + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, long[]> e : marks.entrySet()) {
            if (e.getValue()[0] < 0 || e.getValue()[1] < 0) {
                unmarked++;
                continue;
            }
            atTargets.computeIfAbsent(groupOf(e.getKey()), g -> new ArrayList<>()).add(e.getValue());
        }
        unmarked += names.size() - marks.size();
    }

    /**
     * The most intervals that overlap at any instant; one that ends when another starts does not
     * overlap it.
     */
    static int maxConcurrent(List<long[]> intervals) {
        List<long[]> edges = new ArrayList<>();
        for (long[] i : intervals) {
            edges.add(new long[] {i[0], 1});
            edges.add(new long[] {i[1], -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int max = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }

    /** Mean number applying at once over the group's span, first start → last end. */
    static double meanConcurrent(List<long[]> intervals) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long busy = 0;
        for (long[] i : intervals) {
            first = Math.min(first, i[0]);
            last = Math.max(last, i[1]);
            busy += i[1] - i[0];
        }
        return last <= first ? 0 : (double) busy / (last - first);
    }

    Row row() {
        return row;
    }

    Report report(int workers) {
        Report r = new Report(String.format(Locale.ROOT, "Staged across %d worker processes: %s; the most targets of"
                + " a group applying at once", workers, describe()), new String[] {"group", "targets", "parallel",
                "max at once, at the targets", "mean at once, at the targets", "max at once, results' startedAt →"
                + " endedAt", "span s, at the targets"});
        List<String> groups = new ArrayList<>(List.of("canary"));
        for (int i = 0; i < parallels.size(); i++) {
            groups.add(group(i));
        }
        boolean held = true;
        StringBuilder worst = new StringBuilder();
        for (String g : groups) {
            List<long[]> t = atTargets.getOrDefault(g, List.of());
            List<long[]> res = fromResults.getOrDefault(g, List.of());
            int max = maxConcurrent(t);
            int p = parallelOf(g);
            held &= max <= p;
            worst.append(worst.length() == 0 ? "" : ", ").append(g).append(' ').append(max).append('/').append(p);
            long span = t.isEmpty() ? 0 : t.stream().mapToLong(i -> i[1]).max().orElse(0)
                    - t.stream().mapToLong(i -> i[0]).min().orElse(0);
            r.row(g, Integer.toString(t.size()), Integer.toString(p), Integer.toString(max),
                    Report.fixed(meanConcurrent(t), 2), Integer.toString(maxConcurrent(res)),
                    Report.fixed(span / 1e6, 2));
        }
        r.check(new Check("staged, " + workers + " worker processes: each group's targets applying at once ≤ its"
                + " parallel (at the targets)", worst.toString(), "≤ parallel", held && unmarked == 0));
        r.note("At the targets: the directory's first statement inserts the tenant's start time"
                + " (`clock_timestamp()`) into `" + ScaleOutBench.MARKS + "`, its last statement the end time; the"
                + " table is in the fleet's database, outside the tenants' schemas. The results' startedAt → endedAt"
                + " also cover connecting, the lock and reading the revisions, so they may overlap a little where"
                + " the targets' own times do not." + (unmarked == 0 ? "" : " " + unmarked + " tenants left no"
                + " start or no end row: the check fails."));
        return r;
    }
}
