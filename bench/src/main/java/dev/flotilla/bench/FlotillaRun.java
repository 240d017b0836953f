package dev.flotilla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.cli.dev.DevServer;

import java.util.List;

/**
 * Flotilla end to end in this JVM: a warm-up env first, then the measured push (push → every
 * database {@code SYNCED} in the API), then a deployment of the same tag (every target
 * {@code NO_ACTION}). Reads the topics afterwards for per-target times and the timeline.
 */
final class FlotillaRun {
    /**
     * Envs over the warm-up fleet, each taking one settle pass: the measured push reaches targets
     * the fabric has never seen (the coordinator plans them from nothing, the views insert their
     * rows), so each pass does too.
     */
    private static final int PASS_ENVS = 40;

    /** Names the metric the aggregator keeps for result → view commit. */
    static final String VISIBILITY = "flotilla_result_visibility_seconds";

    private final Session session;
    private final RolloutBench.Config c;
    private final List<Workload> steps;
    private final Workload workload;
    private Row rollout;
    private Row again;
    private long[] visibilityMs;
    private PromHistogram visibilityMetric;
    private String timeline;
    private String againTimeline;
    /** Takes what the target server did in a measured stretch ({@link ServerCounters}), by phase. */
    private final java.util.function.BiConsumer<String, String> counted;

    /** @param steps the warm-up's directories, ending with the measured one (see {@link Workload#steps}) */
    FlotillaRun(Session session, RolloutBench.Config c, List<Workload> steps,
            java.util.function.BiConsumer<String, String> counted) {
        this.counted = counted;
        this.session = session;
        this.c = c;
        this.steps = steps;
        this.workload = steps.get(steps.size() - 1);
    }

    FlotillaRun run() throws Exception {
        try (Fleet warm = session.warmFleet(c.db(), "flotilla_warmup", c.warmup());
             Fleet fleet = session.fleet(c.db(), "flotilla", c.tenants())) {
            ProjectFile project = new ProjectFile().env("warmup", warm);
            for (int i = 1; i <= PASS_ENVS; i++) {
                project.env("warmup_" + i, warm);
            }
            java.nio.file.Path hcl = project.env("bench", fleet)
                    .write(session.dir("flotilla-" + c.db()).resolve("atlas.hcl"));
            Progress.say("Flotilla: starting (embedded Kafka, store on PostgreSQL)");
            try (Fabric f = Fabric.start(session, "flotilla-" + c.db(), hcl, List.of(DevServer.Role.values()),
                    c.parallel(), c.parallel())) {
                warmUp(f, warm);
                measureRollout(f);
                if (c.noAction()) {
                    settle(f); // what the measured rollout left for the JIT is not the nothing-new run's cost
                    measureAgain(f);
                }
            }
        }
        return this;
    }

    private void warmUp(Fabric f, Fleet warm) throws Exception {
        Progress.say("Flotilla: warm-up on %d tenants, one rollout per file", c.warmup());
        for (int i = 0; i < steps.size(); i++) {
            pushed(f, "warmup", "v" + (i + 1), steps.get(i).directory().toArchive());
        }
        // as the measured rollout: a push to an env of targets the fabric has not seen, every
        // tenant taking the whole directory, the API asked the same question as often
        byte[] archive = workload.directory().toArchive();
        int[] pass = {0};
        session.untilJitSettles("Flotilla", RolloutBench.AGAIN, PASS_ENVS, () -> {
            warm.reset(c.parallel());
            return null;
        }, () -> synced(f.api(), "warmup_" + ++pass[0], archive, c.warmup()));
    }

    /**
     * The measured push, and each of the rollout's settle passes alike: {@code archive} pushed as
     * {@code env}'s v1, then the API polled until its {@code n} databases are SYNCED.
     */
    private Probe synced(Api api, String env, byte[] archive, int n) throws InterruptedException {
        api.push(env, "v1", archive);
        return Probe.until(() -> api.count(env, "SYNCED"), n, c.probeMs(), timeoutMs(n));
    }

    /** Pushes {@code archive} as {@code env}'s {@code tag} and waits until the set it starts is done. */
    private void pushed(Fabric f, String env, String tag, byte[] archive) throws Exception {
        String previous = f.lastSet(env);
        f.api().push(env, tag, archive);
        Probe.until(() -> {
            String id = f.lastSet(env);
            return id.equals(previous) ? 0 : done(f.api(), id);
        }, c.warmup(), 25, timeoutMs(c.warmup()));
    }

    /** Deploys the warm-up fleet's tag again (nothing new) until the JIT has caught up. */
    private void settle(Fabric f) throws Exception {
        session.untilJitSettles("Flotilla", RolloutBench.NOTHING_NEW, null, () -> {
            String id = f.api().deploy("warmup");
            return Probe.until(() -> done(f.api(), id), c.warmup(), 25, timeoutMs(c.warmup()));
        });
    }

    private void measureRollout(Fabric f) throws Exception {
        Progress.say("Flotilla: push → %d %s tenants SYNCED, worker concurrency %d", c.tenants(), c.db(), c.parallel());
        Api api = f.api();
        byte[] archive = workload.directory().toArchive();
        PromHistogram before = PromHistogram.parse(api.text("/metrics"), VISIBILITY);
        long[] pushAt = new long[1];
        java.util.Map<String, Long> counters = ServerCounters.snapshot(session, c.db());
        Session.Measured<Probe> m = session.measure("flotilla-" + c.db() + "-rollout", () -> {
            pushAt[0] = System.currentTimeMillis();
            return synced(api, "bench", archive, c.tenants());
        });
        counted.accept("rollout", ServerCounters.perTenant("Flotilla", counters, ServerCounters.snapshot(session,
                c.db()), c.tenants()));
        visibilityMetric = PromHistogram.parse(api.text("/metrics"), VISIBILITY).minus(before);
        String setId = f.lastSet("bench");
        TopicLog log = new TopicLog(f.bootstrap());
        List<TopicLog.Result> results = log.results(setId);
        rollout = new Row("Flotilla (push → all SYNCED)", TopicLog.outcome(results, c.tenants()), m.usage());
        visibilityMs = m.value().visibilityMillis(produced(results), 0);
        timeline = timeline(pushAt[0], log.commandTimes(setId), results, m.value())
                + slowest(visibilityMs, produced(results), pushAt[0]);
    }

    /** When the slowest 1% of results to show in the API were produced: a stall or a queue at the start. */
    static String slowest(long[] visibilityMs, long[] produced, long pushAt) {
        int n = Math.max(1, visibilityMs.length / 100);
        if (visibilityMs.length == 0) {
            return "";
        }
        Integer[] order = new Integer[visibilityMs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(visibilityMs[b], visibilityMs[a]));
        long[] at = new long[n];
        for (int i = 0; i < n; i++) {
            at[i] = produced[order[i]] - pushAt;
        }
        java.util.Arrays.sort(at);
        return String.format(java.util.Locale.ROOT, " The slowest 1%% to show (%d results, %d–%d ms) were produced"
                + " from +%d to +%d ms (median +%d).", n, visibilityMs[order[n - 1]], visibilityMs[order[0]], at[0],
                at[n - 1], at[n / 2]);
    }

    private void measureAgain(Fabric f) throws Exception {
        Progress.say("Flotilla: deploy the same tag again → %d × NO_ACTION", c.tenants());
        Api api = f.api();
        String[] id = new String[1];
        long[] deployAt = new long[1];
        java.util.Map<String, Long> counters = ServerCounters.snapshot(session, c.db());
        Session.Measured<Probe> m = session.measure("flotilla-" + c.db() + "-nothing-new", () -> {
            deployAt[0] = System.currentTimeMillis();
            id[0] = api.deploy("bench");
            return Probe.until(() -> done(api, id[0]), c.tenants(), c.probeMs(), timeoutMs(c.tenants()));
        });
        counted.accept("nothing-new", ServerCounters.perTenant("Flotilla", counters, ServerCounters.snapshot(session,
                c.db()), c.tenants()));
        TopicLog log = new TopicLog(f.bootstrap());
        List<TopicLog.Result> results = log.results(id[0]);
        again = new Row("Flotilla (deploy → set done)", TopicLog.outcome(results, c.tenants()), m.usage());
        againTimeline = timeline(deployAt[0], log.commandTimes(id[0]), results, m.value());
    }

    /** Targets of the deployment set that ended, passed or failed; 0 while the views do not know the set. */
    static long done(Api api, String setId) {
        JsonNode set = api.getOrNull("/api/v1/deployment-sets/" + setId + "?pageSize=1");
        return set == null ? 0 : set.path("succeeded").asLong() + set.path("failed").asLong();
    }

    private static long[] produced(List<TopicLog.Result> results) {
        return results.stream().filter(r -> !"FAILED".equals(r.status())).mapToLong(TopicLog.Result::producedMillis)
                .sorted().toArray();
    }

    private static String timeline(long pushAt, long[] commands, List<TopicLog.Result> results, Probe probe) {
        long[] produced = produced(results);
        long doneAt = System.currentTimeMillis() - (System.nanoTime() - probe.doneNanos()) / 1_000_000;
        long first = at(produced, 0, pushAt);
        long last = at(produced, produced.length - 1, pushAt);
        return String.format(java.util.Locale.ROOT, "Flotilla timeline, ms after the request: first command +%d,"
                + " last command +%d, first result +%d, last result +%d, all done in the API +%d. Workers"
                + " produced results at %.0f tenants/s (first → last result); the views took them in at %.0f"
                + " tenants/s (first result → all visible).", at(commands, 0, pushAt),
                at(commands, commands.length - 1, pushAt), first, last, doneAt - pushAt,
                produced.length * 1000.0 / Math.max(1, last - first), produced.length * 1000.0
                / Math.max(1, doneAt - pushAt - first));
    }

    private static long at(long[] times, int i, long origin) {
        return times.length == 0 ? -1 : times[i] - origin;
    }

    static long timeoutMs(int tenants) {
        return Math.max(300_000L, tenants * 200L);
    }

    Row rollout() {
        return rollout;
    }

    Row again() {
        return again;
    }

    long[] visibilityMs() {
        return visibilityMs;
    }

    PromHistogram visibilityMetric() {
        return visibilityMetric;
    }

    String timeline() {
        return timeline;
    }

    String againTimeline() {
        return againTimeline;
    }
}
