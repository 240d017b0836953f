package dev.flotilla.bench;

import dev.flotilla.cli.dev.DevServer;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rollout-staged}: Flotilla alone, on SQLite tenants, in one fabric. The same push to a flat
 * env (no {@code deployment} block: every target at once, at the worker's concurrency P) and to a
 * staged one (a canary of one tenant, then waves depending on it whose {@code parallel} adds up to
 * P), each on a fresh fleet, in alternating order, after the warm-up the {@code rollout} scenario
 * does; then a rollout whose targets start failing after the first ones, with a halt threshold in
 * {@code flotilla.hcl}, to see how many targets still start once the threshold is crossed
 * ({@link HaltRun}).
 */
final class StagedBench {
    /** Envs over the warm-up fleet, flat and staged alike: each settle pass pushes to one never seen. */
    private static final int PASS_ENVS = 20;

    /** Options; prefixed, as {@code all} takes them too. */
    static final class Options {
        @Option(names = "--staged-tenants", defaultValue = "1000", description = "Tenants of each measured fleet"
                + " (default: ${DEFAULT-VALUE}).")
        int tenants;

        @Option(names = "--staged-waves", defaultValue = "2", description = "Groups after the canary, each"
                + " depending on it, whose parallel values add up to the worker's concurrency (default:"
                + " ${DEFAULT-VALUE}).")
        int waves;

        @Option(names = "--staged-rounds", defaultValue = "3", description = "Flat and staged rollouts measured,"
                + " each on a fresh fleet, alternating which goes first (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--staged-warmup", defaultValue = "1000", description = "Unmeasured warm-up fleet size,"
                + " capped at --staged-tenants (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--halt-after", defaultValue = "100", description = "Tenants (in name order) that pass"
                + " before the halt run's targets start failing (default: ${DEFAULT-VALUE}).")
        int haltAfter;

        @Option(names = "--halt-work", defaultValue = "30000", description = "Rows the halt run's second file"
                + " counts (a recursive CTE) before it inserts, so that a target takes a while and a failing one fails"
                + " late (default: ${DEFAULT-VALUE}).")
        int haltWork;

        @Option(names = "--halt-ratio", defaultValue = "0.2", description = "flotilla.hcl halt failure_ratio"
                + " (default: ${DEFAULT-VALUE}).")
        double haltRatio;

        @Option(names = "--halt-min-finished", defaultValue = "5", description = "flotilla.hcl halt min_finished"
                + " (default: ${DEFAULT-VALUE}).")
        int haltMinFinished;
    }

    private final Session session;
    private final Options o;
    private final int parallel;
    private final int probeMs;
    private final int warmup;
    private final List<Workload> steps;
    private final Workload workload;

    StagedBench(Session session, Options o, int parallel, int probeMs) {
        if (o.waves < 1 || o.waves > parallel) {
            throw new IllegalArgumentException("--staged-waves must be between 1 and the parallelism (" + parallel
                    + "), not " + o.waves);
        }
        this.session = session;
        this.o = o;
        this.parallel = parallel;
        this.probeMs = probeMs;
        this.warmup = Math.min(o.warmup, o.tenants);
        this.steps = Workload.write(session.dir("workload-staged"), 0).steps(session.dir("workload-staged-steps"));
        this.workload = steps.get(steps.size() - 1);
    }

    List<Report> run() throws Exception {
        List<Fleet> fleets = new ArrayList<>();
        try {
            Fleet warm = add(fleets, session.warmFleet("sqlite", "staged_warmup", warmup));
            Fleet halting = add(fleets, session.fleet("sqlite", "staged_halting", o.tenants));
            ProjectFile project = project(warm, halting, fleets);
            Path hcl = project.write(session.dir("flotilla-staged").resolve("atlas.hcl"));
            Files.writeString(hcl.resolveSibling("flotilla.hcl"), String.format(java.util.Locale.ROOT,
                    "env \"halting\" {\n  halt {\n    failure_ratio = %s\n    min_finished  = %d\n  }\n}\n",
                    Double.toString(o.haltRatio), o.haltMinFinished), StandardCharsets.UTF_8);
            Progress.say("Flotilla staged: starting (embedded Kafka, store on PostgreSQL)");
            try (Fabric f = Fabric.start(session, "flotilla-staged", hcl, List.of(DevServer.Role.values()), parallel,
                    parallel)) {
                warmUp(f, warm);
                StagedReport report = new StagedReport(o, parallel, warmup, describeWaves(),
                        this::waveParallel);
                for (int r = 1; r <= o.rounds; r++) {
                    boolean flatFirst = r % 2 == 1;
                    for (String kind : flatFirst ? List.of("flat", "staged") : List.of("staged", "flat")) {
                        report.add(kind, measured(f, kind + "_" + r, fleets.get(fleetIndex(kind, r)), kind, r));
                    }
                }
                report.halt(new HaltRun(session, f, halting, o, parallel).run());
                return report.build();
            }
        } finally {
            fleets.forEach(Fleet::close);
        }
    }

    private static Fleet add(List<Fleet> fleets, Fleet f) {
        fleets.add(f);
        return f;
    }

    /** Fleets are listed warm-up, halting, then flat_1, staged_1, flat_2, staged_2… */
    private static int fleetIndex(String kind, int round) {
        return 2 + (round - 1) * 2 + ("flat".equals(kind) ? 0 : 1);
    }

    private ProjectFile project(Fleet warm, Fleet halting, List<Fleet> fleets) {
        ProjectFile p = new ProjectFile().deployment("staged", stagedGroups()).deployment("ordered",
                "  group \"all\" {\n    order_by = var.name\n    parallel = " + parallel + "\n    on_error = CONTINUE\n"
                + "  }\n");
        p.env("warmup", warm);
        for (int i = 1; i <= PASS_ENVS; i++) {
            p.env("wflat_" + i, warm).env("wstaged_" + i, warm, "staged");
        }
        for (int r = 1; r <= o.rounds; r++) {
            p.env("flat_" + r, add(fleets, session.fleet("sqlite", "staged_flat_" + r, o.tenants)));
            p.env("staged_" + r, add(fleets, session.fleet("sqlite", "staged_staged_" + r, o.tenants)), "staged");
        }
        return p.env("halting", halting, "ordered");
    }

    /** Parallel of wave {@code i} (0-based): P split as evenly as it goes, the remainder to the last ones. */
    private int waveParallel(int i) {
        int base = parallel / o.waves;
        return base + (i >= o.waves - parallel % o.waves ? 1 : 0);
    }

    /** The canary (the first tenant), then the waves: each a contiguous range of names, the last the rest. */
    private String stagedGroups() {
        List<String> names = Fleet.names("tenant", o.tenants);
        StringBuilder b = new StringBuilder("  group \"canary\" {\n    match = var.name == \"" + names.get(0)
                + "\"\n  }\n");
        for (int i = 0; i < o.waves; i++) {
            b.append("  group \"wave_").append(i + 1).append("\" {\n");
            if (i < o.waves - 1) {
                b.append("    match = var.name <= \"").append(names.get((i + 1) * o.tenants / o.waves - 1))
                        .append("\"\n");
            }
            b.append("    parallel = ").append(waveParallel(i)).append("\n    depends_on = [group.canary]\n  }\n");
        }
        return b.toString();
    }

    private String describeWaves() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < o.waves; i++) {
            b.append(i == 0 ? "" : " + ").append(waveParallel(i));
        }
        return "canary of 1 (parallel 1), then " + o.waves + " group" + (o.waves == 1 ? "" : "s") + " depending on it,"
                + " parallel " + b;
    }

    private void warmUp(Fabric f, Fleet warm) throws Exception {
        Progress.say("Flotilla staged: warm-up on %d tenants, one rollout per file", warmup);
        for (int i = 0; i < steps.size(); i++) {
            pushed(f, "warmup", "v" + (i + 1), steps.get(i).directory().toArchive());
        }
        byte[] archive = workload.directory().toArchive();
        int[] pass = {0};
        session.untilJitSettles("Flotilla staged", RolloutBench.AGAIN + " (flat and staged in turn)", 2 * PASS_ENVS,
                () -> {
                    warm.reset(parallel);
                    return null;
                }, () -> {
                    int k = pass[0]++;
                    return synced(f.api(), (k % 2 == 0 ? "wflat_" : "wstaged_") + (k / 2 + 1), archive, warmup);
                });
    }

    /** Pushes {@code archive} as {@code env}'s v1 and polls the API until its {@code n} databases are SYNCED. */
    private Probe synced(Api api, String env, byte[] archive, int n) throws InterruptedException {
        api.push(env, "v1", archive);
        return Probe.until(() -> api.count(env, "SYNCED"), n, probeMs, FlotillaRun.timeoutMs(n));
    }

    /** Pushes {@code archive} as {@code env}'s {@code tag} and waits until the set it starts is done. */
    private void pushed(Fabric f, String env, String tag, byte[] archive) throws Exception {
        String previous = f.lastSet(env);
        f.api().push(env, tag, archive);
        Probe.until(() -> {
            String id = f.lastSet(env);
            return id.equals(previous) ? 0 : FlotillaRun.done(f.api(), id);
        }, warmup, 25, FlotillaRun.timeoutMs(warmup));
    }

    /** One measured push: push → every database of {@code env} SYNCED in the API. */
    private StagedReport.Run measured(Fabric f, String env, Fleet fleet, String kind, int round) throws Exception {
        Progress.say("Flotilla staged: %s, round %d: push → %d SQLite tenants SYNCED", kind, round, o.tenants);
        byte[] archive = workload.directory().toArchive();
        long[] pushAt = new long[1];
        Session.Measured<Probe> m = session.measure("flotilla-staged-" + env, () -> {
            pushAt[0] = System.currentTimeMillis();
            return synced(f.api(), env, archive, fleet.tenants().size());
        });
        String setId = f.lastSet(env);
        TopicLog log = new TopicLog(f.bootstrap());
        List<TopicLog.Result> results = log.results(setId);
        Row row = new Row(("flat".equals(kind) ? "flat (no deployment block)" : "staged (canary, then waves)")
                + ", round " + round, TopicLog.outcome(results, o.tenants), m.usage());
        return new StagedReport.Run(row, pushAt[0], log.commandTimes(setId), results);
    }
}
