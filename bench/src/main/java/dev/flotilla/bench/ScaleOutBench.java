package dev.flotilla.bench;

import dev.flotilla.cli.dev.DevServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code scale-out}: the same rollout with one worker process and with N (default 4), on PostgreSQL
 * schema-per-tenant targets whose every statement is followed by {@code SELECT pg_sleep}. The
 * registry, coordinator, aggregator and Kafka stay in this JVM; the workers are child JVMs. With
 * the N workers it also rolls out a staged env (a canary, then groups with {@code parallel} limits)
 * and counts, at the targets, how many of each group's targets were applying at once
 * ({@link StagedLimits}).
 */
final class ScaleOutBench {
    /** Polling the API every 100 ms adds at most 100 ms to runs of 10 s and more, and loads the 2 cores less. */
    private static final long PROBE_MS = 100;

    /**
     * Envs over the warm-up fleet, one per settle pass, so that each pass reaches targets the
     * fabric has not seen, as the measured push does. Four fresh worker JVMs each compile the
     * apply path on their own: without the passes, their JIT took more of the 2 cores than the
     * measured rollout did.
     */
    private static final int PASS_ENVS = 30;

    /** Options. */
    static final class Options {
        @Option(names = "--scale-tenants", defaultValue = "1000",
                description = "Targets per run (default: ${DEFAULT-VALUE}).")
        int tenants;

        @Option(names = "--scale-warmup", defaultValue = "1000",
                description = "Unmeasured targets, migrated without the sleeps so that they go fast, again and"
                        + " again until no JVM's JIT compiler is busy for more than a tenth of a pass, before the"
                        + " clock starts (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--workers", defaultValue = "4",
                description = "Worker processes measured against one (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--latency-ms", defaultValue = "100",
                description = "pg_sleep after every statement (default: ${DEFAULT-VALUE}).")
        int latencyMs;

        @Option(names = "--worker-concurrency", defaultValue = "4",
                description = "Per worker process (default: ${DEFAULT-VALUE}; flotilla worker's is 16).")
        int concurrency;

        @Option(names = "--worker-max-per-server", defaultValue = "4",
                description = "Per worker process (default: ${DEFAULT-VALUE}, so that one worker is held by the"
                        + " latency, not by this machine's CPU, which PostgreSQL and Kafka share; flotilla worker's"
                        + " is 8).")
        int maxPerServer;

        @Option(names = "--scale-staged-parallel", split = ",", defaultValue = "6,10",
                description = "The staged run's groups after the canary: each one's parallel, comma-separated; each"
                        + " a contiguous range of tenant names (default: ${DEFAULT-VALUE}, which add up to the"
                        + " default 4 workers × 4 in flight).")
        List<Integer> stagedParallel;

        @Option(names = "--scale-staged", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "With the N workers, also roll out a staged env and count concurrent applies per"
                        + " group at the targets (default: on).")
        boolean staged;
    }

    /** The table every staged target writes into, in the staged fleet's database. */
    static final String MARKS = "bench_probe.applies";

    private final Session session;
    private final Options o;

    ScaleOutBench(Session session, Options o) {
        this.session = session;
        this.o = o;
    }

    List<Report> run() throws Exception {
        if (o.workers < 2) {
            throw new IllegalArgumentException("--workers must be at least 2, not " + o.workers);
        }
        Workload plain = Workload.write(session.dir("workload-plain"), 0);
        Workload latent = Workload.write(session.dir("workload-latent"), o.latencyMs);
        Workload marked = Workload.write(session.dir("workload-marked"), o.latencyMs, mark("start"), mark("end"));
        Row one = run(plain, latent, null, 1).flat();
        Runs many = run(plain, latent, o.staged ? marked : null, o.workers);
        Report r = new Report(String.format(Locale.ROOT, "Scale-out: %,d PostgreSQL schema tenants, %d ms pg_sleep"
                + " after every statement, worker concurrency %d, max %d per server", o.tenants, o.latencyMs,
                o.concurrency, o.maxPerServer), Row.HEADER);
        r.row(one.cells()).row(many.flat().cells());
        if (many.staged() != null) {
            r.row(many.staged().row().cells());
        }
        double ratio = many.flat().perSecond() / one.perSecond();
        double min = target(o.workers);
        r.check(new Check(o.workers + " worker processes vs 1, " + o.latencyMs + " ms per statement",
                Report.ratio(ratio), "≥ " + Report.ratio(min), ratio >= min));
        r.note("Workers are separate JVMs (`flotilla worker`'s services); CPU and allocation add up this JVM (Kafka,"
                + " registry, coordinator, aggregator) and the workers; heap columns are this JVM's.");
        r.note(bounds(one, many.flat()));
        List<Report> out = new ArrayList<>(List.of(r));
        if (many.staged() != null) {
            out.add(many.staged().report(o.workers));
        }
        return out;
    }

    /**
     * docs/architecture.md's target: 3.5× for 4 workers (1.8× for 2, the earlier one); 7/8 of linear for other
     * counts, which no document sets.
     */
    static double target(int workers) {
        return workers == 4 ? 3.5 : workers == 2 ? 1.8 : 0.875 * workers;
    }

    /** A statement that records, at the target, that the tenant's migration reached this point. */
    private static String mark(String event) {
        return "INSERT INTO " + MARKS + " (tenant, event, at) VALUES (current_schema(), '" + event
                + "', clock_timestamp());\n";
    }

    /**
     * What one fabric measured.
     *
     * @param flat the flat rollout
     * @param staged the staged one, or null
     */
    private record Runs(Row flat, StagedLimits staged) {
    }

    /** What could have limited the runs: the machine's CPU, or the injected latency at this concurrency. */
    private String bounds(Row one, Row many) {
        int cores = Runtime.getRuntime().availableProcessors();
        double cpuMs = Math.max(cost(one), cost(many));
        double latencyMs = Workload.statements() * o.latencyMs;
        int inFlight = Math.min(o.concurrency, o.maxPerServer);
        return String.format(Locale.ROOT, "Bounds: %.0f ms of CPU per tenant (JVMs and PostgreSQL) allow at most %.0f"
                + " tenants/s on %d cores; %.0f ms of injected latency per tenant at %d in flight per worker allow"
                + " %.1f tenants/s with one worker, %.1f with %d. The lower bound is the one more workers cannot"
                + " lift. `flotilla.commands` has 12 partitions and a flat set's commands go round-robin over them:"
                + " each of %d workers reads 12/%d of them, so each holds an equal share of the targets.", cpuMs,
                cores * 1000 / cpuMs, cores, latencyMs, inFlight, inFlight * 1000 / latencyMs,
                o.workers * inFlight * 1000 / latencyMs, o.workers, o.workers, o.workers);
    }

    private static double cost(Row r) {
        return r.perTenant(r.usage().cpuNanos() + Math.max(0, r.usage().dbCpuNanos())) / 1e6;
    }

    private Runs run(Workload plain, Workload latent, Workload marked, int workers) throws Exception {
        String label = "scale" + workers;
        Path dir = session.dir("scale-out-" + workers);
        try (Fleet warm = session.warmFleet("postgres", label + "_warmup", o.warmup);
             Fleet fleet = session.fleet("postgres", label, o.tenants);
             Fleet stagedFleet = marked == null ? null : session.fleet("postgres", label + "_staged", o.tenants)) {
            ProjectFile project = new ProjectFile().env("warmup", warm).env("bench", fleet);
            for (int i = 1; i <= PASS_ENVS; i++) {
                project.env("warmup_" + i, warm);
            }
            StagedLimits staged = null;
            if (marked != null) {
                staged = new StagedLimits(stagedFleet, o.stagedParallel);
                staged.prepare();
                project.deployment("staged", staged.groups()).env("staged", stagedFleet, "staged");
            }
            Path hcl = project.write(dir.resolve("atlas.hcl"));
            Progress.say("scale-out: %d worker process(es), %d tenants", workers, o.tenants);
            try (Fabric f = Fabric.start(session, "scale-out-" + workers, hcl,
                    List.of(DevServer.Role.REGISTRY, DevServer.Role.COORDINATOR, DevServer.Role.AGGREGATOR), 1, 1)) {
                List<ChildJvm> children = new ArrayList<>();
                try {
                    for (int i = 1; i <= workers; i++) {
                        children.add(worker(f, hcl, dir, i));
                    }
                    for (ChildJvm c : children) {
                        c.awaitReady(180_000);
                    }
                    awaitGroup(f.bootstrap(), workers);
                    Row flat = measure(f, warm, plain, latent, children, workers);
                    if (staged != null) {
                        measureStaged(f, marked, children, staged);
                    }
                    return new Runs(flat, staged);
                } finally {
                    children.forEach(ChildJvm::close);
                }
            }
        }
    }

    /**
     * A worker's JVM as deploy/k8s and docker-compose.yml run it: C1 only. C2 was still compiling
     * in every worker after the warm-up's 18,000 tenants and took half of the four workers' CPU.
     */
    static final List<String> WORKER_JVM = List.of("-Xmx1g", "-XX:TieredStopAtLevel=1");

    private ChildJvm worker(Fabric f, Path hcl, Path dir, int i) {
        return ChildJvm.start("worker-" + i, WORKER_JVM, ServiceProcess.class.getName(), List.of("worker",
                f.bootstrap(), "-", hcl.toString(), dir.resolve("worker-" + i).toString(),
                Integer.toString(o.concurrency), Integer.toString(o.maxPerServer), "http://127.0.0.1:" + f.port(),
                f.adminTokenFile().toString()),
                dir.resolve("worker-" + i + ".log"));
    }

    private Row measure(Fabric f, Fleet warm, Workload plain, Workload latent, List<ChildJvm> workers, int k)
            throws Exception {
        Api api = f.api();
        byte[] warmArchive = plain.directory().toArchive();
        api.push("warmup", "v1", warmArchive);
        Probe.until(() -> api.count("warmup", "SYNCED"), o.warmup, 100, 300_000);
        int[] pass = {0};
        session.untilJitSettles("scale-out-" + k, "(" + o.warmup + " tenants each)", PASS_ENVS,
                () -> {
                    warm.reset(o.concurrency);
                    return null;
                }, () -> {
                    String env = "warmup_" + ++pass[0];
                    api.push(env, "v1", warmArchive);
                    return Probe.until(() -> api.count(env, "SYNCED"), o.warmup, PROBE_MS, 300_000);
                }, () -> workerJit(workers));
        byte[] archive = latent.directory().toArchive();
        long[] before = workerTotals(workers);
        Session.Measured<Probe> m = session.measure("scale-out-" + k, () -> {
            api.push("bench", "v1", archive);
            return Probe.until(() -> api.count("bench", "SYNCED"), o.tenants, PROBE_MS, FlotillaRun.timeoutMs(o.tenants));
        });
        long[] after = workerTotals(workers);
        Usage u = m.usage();
        Usage all = new Usage(u.wallNanos(), u.cpuNanos() + (after[0] - before[0]) * 1_000_000,
                u.allocatedBytes() + ((after[1] - before[1]) << 20), u.peakHeapBytes(), u.liveHeapBytes(),
                u.dbCpuNanos(), u.load());
        Outcome out = TopicLog.outcome(new TopicLog(f.bootstrap()).results(f.lastSet("bench")), o.tenants);
        return new Row(k == 1 ? "1 worker process" : k + " worker processes", out, all);
    }

    /** The staged env's push → every database SYNCED, then the concurrency per group read back. */
    private void measureStaged(Fabric f, Workload marked, List<ChildJvm> workers, StagedLimits staged)
            throws Exception {
        Api api = f.api();
        byte[] archive = marked.directory().toArchive();
        Progress.say("scale-out: %d worker processes, staged: %s", workers.size(), staged.describe());
        long[] before = workerTotals(workers);
        Session.Measured<Probe> m = session.measure("scale-out-" + workers.size() + "-staged", () -> {
            api.push("staged", "v1", archive);
            return Probe.until(() -> api.count("staged", "SYNCED"), o.tenants, PROBE_MS,
                    FlotillaRun.timeoutMs(o.tenants));
        });
        long[] after = workerTotals(workers);
        Usage u = m.usage();
        Usage all = new Usage(u.wallNanos(), u.cpuNanos() + (after[0] - before[0]) * 1_000_000,
                u.allocatedBytes() + ((after[1] - before[1]) << 20), u.peakHeapBytes(), u.liveHeapBytes(),
                u.dbCpuNanos(), u.load());
        List<TopicLog.Result> results = new TopicLog(f.bootstrap()).results(f.lastSet("staged"));
        staged.measured(new Row(workers.size() + " worker processes, staged (" + staged.describe() + ")",
                TopicLog.outcome(results, o.tenants), all), results);
    }

    /** Each worker process's JIT compilation time so far, ms. */
    private static long[] workerJit(List<ChildJvm> workers) throws InterruptedException {
        long[] t = new long[workers.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = workers.get(i).stats().get("jitMs");
        }
        return t;
    }

    /** CPU ms and allocated MiB summed over the worker processes. */
    private static long[] workerTotals(List<ChildJvm> workers) throws InterruptedException {
        long[] t = new long[2];
        for (ChildJvm c : workers) {
            Map<String, Long> s = c.stats();
            t[0] += s.get("cpuMs");
            t[1] += s.get("allocMiB");
        }
        return t;
    }

    /** Waits until the consumer group "workers" has {@code n} members, each with partitions assigned. */
    private static void awaitGroup(String bootstrap, int n) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Probe.until(() -> {
                try {
                    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("workers")).all()
                            .get(10, TimeUnit.SECONDS).get("workers");
                    long assigned = d.members().stream().map(MemberDescription::assignment)
                            .filter(a -> !a.topicPartitions().isEmpty()).count();
                    return d.members().size() == n && assigned == n ? 1 : 0;
                } catch (Exception e) {
                    return 0;
                }
            }, 1, 200, 120_000);
        }
    }
}
