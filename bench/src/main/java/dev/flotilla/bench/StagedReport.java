package dev.flotilla.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Turns the runs of {@code rollout-staged} into its two tables, with the target checks. */
final class StagedReport {
    /** Longest a target may start after the halt threshold was crossed (docs/architecture.md). */
    static final long HALT_WITHIN_MS = 1000;
    /** Most a staged rollout may take over the flat one, as a ratio of wall times. */
    static final double STAGED_MAX = 1.15;

    /**
     * One measured push.
     *
     * @param row the row of the table
     * @param pushAt when the push was sent (epoch ms)
     * @param commands record times of the set's commands, sorted
     * @param results the set's results
     */
    record Run(Row row, long pushAt, long[] commands, List<TopicLog.Result> results) {
        double wallSeconds() {
            return row.usage().wallNanos() / 1e9;
        }
    }

    private final StagedBench.Options o;
    private final int parallel;
    private final int warmup;
    private final String waves;
    private final java.util.function.IntUnaryOperator waveParallel;
    private final List<Run> flat = new ArrayList<>();
    private final List<Run> staged = new ArrayList<>();
    private HaltRun.Seen halt;

    /** @param waveParallel the parallel of wave i (0-based) */
    StagedReport(StagedBench.Options o, int parallel, int warmup, String waves,
            java.util.function.IntUnaryOperator waveParallel) {
        this.waveParallel = waveParallel;
        this.o = o;
        this.parallel = parallel;
        this.warmup = warmup;
        this.waves = waves;
    }

    void add(String kind, Run run) {
        ("flat".equals(kind) ? flat : staged).add(run);
    }

    void halt(HaltRun.Seen seen) {
        this.halt = seen;
    }

    List<Report> build() {
        List<Report> out = new ArrayList<>();
        out.add(comparison());
        if (halt != null) {
            out.add(halt());
        }
        return out;
    }

    private Report comparison() {
        Report r = new Report(String.format(Locale.ROOT, "Staged vs flat rollout: %,d SQLite tenant files, 3-file"
                + " directory, worker concurrency %d, push → all SYNCED", o.tenants, parallel), Row.HEADER);
        List<Run> all = new ArrayList<>(flat);
        all.addAll(staged);
        all.sort(Comparator.comparingLong(Run::pushAt));
        all.forEach(run -> r.row(run.row().cells()));
        double f = flat.stream().mapToDouble(Run::wallSeconds).sum();
        double s = staged.stream().mapToDouble(Run::wallSeconds).sum();
        if (f > 0 && s > 0) {
            double ratio = s / f;
            r.check(new Check("SQLite: staged/flat wall time" + sized(), String.format(Locale.ROOT,
                    "%s (%.2f s / %.2f s)", Report.ratio(ratio), s / staged.size(), f / flat.size()),
                    "≤ " + Report.ratio(STAGED_MAX), ratio <= STAGED_MAX));
        }
        r.note("flat: an env without a `rollout` block (one group, every command sent at once); staged: the same"
                + " push to an env whose `rollout` names deployment \"staged\": " + waves + ", so at most " + parallel
                + " targets in flight once the canary passed, as in the flat run. Each round runs both, each on a"
                + " fresh fleet of targets the fabric has not seen; odd rounds flat first, even rounds staged first."
                + " The check compares the sums of the wall times.");
        staged.forEach(run -> r.note(canary(run)));
        all.forEach(run -> r.note(inFlight(run)));
        staged.forEach(run -> r.note(waves(run)));
        r.note("Before the first round, an unmeasured warm-up fleet of " + warmup + " tenants takes the directory one"
                + " file at a time, then is emptied and takes the whole directory again, through flat and staged envs"
                + " in turn, until the JIT compiler threads are idle (as in the `rollout` scenario).");
        return r;
    }

    /** When the canary ran and when the waves started, from the topics. */
    private static String canary(Run run) {
        long firstResult = run.results().stream().mapToLong(TopicLog.Result::producedMillis).min().orElse(-1);
        long[] c = run.commands();
        return String.format(Locale.ROOT, "%s: canary command +%d ms after the push, its result +%d ms, the waves'"
                + " first command +%d ms, last result +%d ms.", run.row().name(), at(c, 0, run.pushAt()),
                firstResult < 0 ? -1 : firstResult - run.pushAt(), at(c, 1, run.pushAt()),
                run.results().stream().mapToLong(TopicLog.Result::producedMillis).max().orElse(run.pushAt())
                        - run.pushAt());
    }

    /**
     * How many targets the workers had in flight: on average (the sum of the results' apply times
     * over first start → last end), and the share of that span with P, P-1… applying. The flat and
     * the staged run are both bounded by P.
     */
    private String inFlight(Run run) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long busy = 0;
        for (TopicLog.Result x : run.results()) {
            first = Math.min(first, x.startedMillis());
            last = Math.max(last, x.endedMillis());
            busy += x.endedMillis() - x.startedMillis();
        }
        double[] shares = InFlight.shares(run.results(), parallel);
        StringBuilder b = new StringBuilder();
        for (int k = parallel; k >= 0; k--) {
            b.append(k == parallel ? "" : " / ").append(Math.round(shares[k] * 100)).append('%');
        }
        return String.format(Locale.ROOT, "%s: on average %.1f targets applying at once (of at most %d), first"
                + " start → last end %,d ms; share of that time with %d, %d, … 0 applying: %s.", run.row().name(),
                busy / (double) Math.max(1, last - first), parallel, Math.max(0, last - first), parallel,
                parallel - 1, b);
    }

    /**
     * How each wave used its {@code parallel} slots (a group is the second-last part of a command id;
     * 0 is the canary), and when each started and ended against the first start and last end of any
     * wave: a worker gives a group as many slots as it holds lanes of it, shared by the group's commands.
     */
    private String waves(Run run) {
        List<InFlight.Group> groups = InFlight.groups(run.results(), r -> {
            String[] p = r.commandId().split("/");
            return "0".equals(p[p.length - 2]) ? null : "wave " + p[p.length - 2];
        }, name -> waveParallel.applyAsInt(Integer.parseInt(name.substring(5)) - 1));
        long first = groups.stream().mapToLong(InFlight.Group::first).min().orElse(0);
        long last = groups.stream().mapToLong(InFlight.Group::last).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (InFlight.Group g : groups) {
            b.append(b.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%s applied %.1f at once of"
                    + " its %d from its first start (+%d ms after the first wave's) to its last end (%d ms before the"
                    + " last wave's)", g.name(), g.meanApplying(), g.parallel(), g.first() - first, last - g.last()));
        }
        return run.row().name() + ": " + b + ".";
    }

    private static long at(long[] times, int i, long origin) {
        return times.length <= i ? -1 : times[i] - origin;
    }

    private Report halt() {
        HaltAnalysis a = halt.analysis();
        Report r = new Report(String.format(Locale.ROOT, "Halt: %,d SQLite tenants in one group ordered by name,"
                + " parallel %d, on_error = CONTINUE; every tenant after the first %,d fails at the end of a file that"
                + " counts %,d rows; flotilla.hcl halt { failure_ratio = %s, min_finished = %d }", o.tenants, parallel,
                o.haltAfter, o.haltWork,
                Double.toString(o.haltRatio), o.haltMinFinished), new String[] {"measure", "value"});
        long crossing = a.crossingMillis();
        r.row("set at the end (coordinator)", halt.finalState());
        r.row("threshold crossed (record time of the result that crossed it)", crossing < 0 ? "never"
                : String.format(Locale.ROOT, "+%,d ms after the push, when %d results had finished (%d failed)",
                crossing - halt.pushAt(), a.finishedAtCrossing(), a.failedAtCrossing()));
        r.row("RolloutChanged PAUSED published", halt.pausedAt() < 0 ? "never" : crossing < 0
                ? String.format(Locale.ROOT, "+%,d ms after the push", halt.pausedAt() - halt.pushAt())
                : String.format(Locale.ROOT, "+%,d ms after the crossing", halt.pausedAt() - crossing));
        r.row("targets started after the crossing (results not SKIPPED)", Integer.toString(a.startedAfter()));
        r.row("… the last of them started", a.startedAfter() == 0 ? "–"
                : String.format(Locale.ROOT, "+%,d ms after the crossing", a.maxDelayMillis()));
        r.row("… started more than 1 s after the crossing", crossing < 0 ? "–"
                : Integer.toString(HaltAnalysis.startedLater(halt.results(), crossing, HALT_WITHIN_MS)));
        r.row("targets started after PAUSED was published", halt.pausedAt() < 0 ? "–"
                : Integer.toString(halt.startedAfterPaused()));
        r.row("results by status", byStatus(halt.results()));
        Stats apply = Stats.of(halt.results().stream().filter(x -> !"SKIPPED".equals(x.status()))
                .mapToLong(x -> x.endedMillis() - x.startedMillis()).toArray());
        r.row("apply time per target, p50 / p99", String.format(Locale.ROOT, "%d / %d ms", apply.quantile(0.5),
                apply.quantile(0.99)));
        r.row("targets skipped by a worker (SKIPPED, SET_PAUSED)", Integer.toString(a.skippedPaused()));
        r.row("targets left PENDING (coordinator)", Integer.toString(halt.neverSent()));
        r.row("push → paused, nothing in flight (wall)", Report.fixed(halt.usage().wallNanos() / 1e9, 2) + " s");
        r.check(new Check("halt: targets started after the threshold was crossed" + sized(), crossing < 0
                ? "never crossed" : String.format(Locale.ROOT, "%d, the last +%,d ms after", a.startedAfter(),
                a.maxDelayMillis()), "none later than +1,000 ms", crossing >= 0 && a.maxDelayMillis() <= HALT_WITHIN_MS));
        r.note("The crossing replays the set's results in record-time order through the coordinator's rule (failed ≥"
                + " failure_ratio × finished once finished ≥ min_finished; finished = passed + failed) and takes the"
                + " record time of the first result after which it holds. \"Started\" is a result's `startedAt`;"
                + " SKIPPED results (workers obeying the pause) start nothing. Worker, coordinator and broker share"
                + " this JVM's clock.");
        return r;
    }

    private static String byStatus(List<TopicLog.Result> results) {
        java.util.Map<String, Integer> n = new java.util.TreeMap<>();
        results.forEach(x -> n.merge(x.status() + (x.errorCode() == null || !"SKIPPED".equals(x.status()) ? ""
                : " " + x.errorCode()), 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        n.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }

    private String sized() {
        return o.tenants == 1000 ? " (1,000 tenants)"
                : String.format(Locale.ROOT, " (target size: 1,000 tenants; ran %,d)", o.tenants);
    }
}
