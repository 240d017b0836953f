package dev.flotilla.bench;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cold-start}: the first rollout after {@code flotilla dev} starts on an empty data
 * directory, pushed the moment it prints "ready", against the same rollout repeated in the same
 * process until its rate settles. Every round takes the same work: the whole directory, pushed
 * under an env of its own over a fleet of new SQLite files. {@code flotilla dev} is the
 * checkout's {@code ./flotilla} launcher with the JVM options it picks, or
 * {@code java -jar JAR dev} when a jar is given.
 */
final class ColdStartBench {
    /** The later rounds' rates count as settled when the last {@link #SETTLED_ROUNDS} lie within 10%. */
    static final int SETTLED_ROUNDS = 3;

    /**
     * How long {@code flotilla dev} may take to stop before it is killed: 12–18 s at load 15–35,
     * and the launcher's first start after a build writes its class-data archive then, which took
     * it past 30 s under that load (and a killed JVM writes none).
     */
    static final int STOP_SECONDS = 120;

    /** The unmeasured session that has the launcher write its archive rolls out to these many tenants. */
    static final int PRIME_TENANTS = 200;
    static final String PRIME_ENV = "prime";

    /** Options. */
    static final class Options {
        @Option(names = "--tenants", defaultValue = "1000", description = "SQLite tenants per round (default:"
                + " ${DEFAULT-VALUE}).")
        int tenants;

        @Option(names = "--rounds", defaultValue = "10", description = "Most rounds, the cold one included; fewer"
                + " when the rate settles earlier (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--min-rounds", defaultValue = "5", description = "Fewest rounds (default: ${DEFAULT-VALUE}).")
        int minRounds;

        @Option(names = "--probe-ms", defaultValue = "25", description = "API polling interval (default:"
                + " ${DEFAULT-VALUE}).")
        int probeMs;

        @Option(names = "--java-opt", paramLabel = "OPTION", description = "A JVM option for `flotilla dev`"
                + " (repeat), e.g. -Xshare:off or -XX:SharedArchiveFile=…; the launcher's own options are not"
                + " added unless given here.")
        List<String> javaOpts = new ArrayList<>();

        @Option(names = "--launcher", paramLabel = "SCRIPT", description = "Start `SCRIPT dev`, a launcher with the"
                + " JVM options it picks, as users run `./flotilla dev` (default: this checkout's ./flotilla unless"
                + " --flotilla-jar is given); --java-opt then goes to it in FLOTILLA_JAVA_OPTS.")
        Path launcher;

        @Option(names = "--flotilla-jar", description = "Start `java -jar JAR dev` instead, with the --java-opt"
                + " options only.")
        Path jar;

        @Option(names = "--prime", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "When the launcher has no class-data archive for this jar yet, first run an unmeasured"
                        + " session (start, one round, stop) that writes it, as every start after the first one"
                        + " after a build has it (default: on).")
        boolean prime;

        /** The defaults, with {@code jar} (null: this checkout's). */
        static Options defaults(Path jar) {
            Options o = picocli.CommandLine.populateCommand(new Options());
            o.jar = jar;
            return o;
        }
    }

    /**
     * One measured rollout.
     *
     * @param millis push → every database SYNCED in the API
     * @param firstMillis push → the first database SYNCED in the API
     * @param cost what the process did meanwhile
     * @param load the 1-minute load average at its end
     */
    record Round(long millis, long firstMillis, ChildCounters cost, String load) {
        double rate(int tenants) {
            return tenants * 1000.0 / Math.max(1, millis);
        }
    }

    private final Session session;
    private final Options o;
    /** What the launcher does about its class-data archive, seen before the start; null without a launcher. */
    private String archiveState;

    ColdStartBench(Session session, Options o) {
        this.session = session;
        this.o = o;
    }

    Report run() throws Exception {
        Path jar = o.jar != null ? o.jar : DevStartBench.findJar();
        launcher(jar);
        Path dir = session.dir("cold-start");
        byte[] archive = Workload.write(session.dir("workload-cold"), 0).directory().toArchive();
        List<Fleet> fleets = new ArrayList<>();
        try {
            ProjectFile project = new ProjectFile();
            Fleet primer = session.fleet("sqlite", "cold_prime", PRIME_TENANTS);
            fleets.add(primer);
            project.env(PRIME_ENV, primer);
            for (int i = 1; i <= o.rounds; i++) {
                Fleet f = session.fleet("sqlite", "cold_" + i, o.tenants);
                fleets.add(f);
                project.env("round_" + i, f);
            }
            Path hcl = project.write(dir.resolve("atlas.hcl"));
            session.awaitInodes();
            sync();
            return measure(jar, hcl, dir, archive);
        } finally {
            fleets.forEach(Fleet::close);
            session.discard(dir.resolve("data"));
        }
    }

    /** Picks the checkout's launcher unless told otherwise, and notes what it does about its archive. */
    private void launcher(Path jar) throws IOException {
        if (o.jar == null && o.launcher == null) {
            Path checkout = jar.toAbsolutePath().getParent().getParent().getParent().resolve("flotilla");
            o.launcher = java.nio.file.Files.isExecutable(checkout) ? checkout : null;
        }
        if (o.launcher != null) {
            refuseToBuild(jar);
            archiveState = archive(jar);
        }
    }

    private Report measure(Path jar, Path hcl, Path dir, byte[] archive) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (o.launcher != null) {
            cmd.add(o.launcher.toAbsolutePath().toString());
        } else {
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(o.javaOpts);
            cmd.addAll(List.of("-jar", jar.toString()));
        }
        cmd.addAll(List.of("dev", "--port", "0", "--data-dir", dir.resolve("data").toString(), "--config",
                hcl.toString()));
        Map<String, String> env = o.launcher == null ? Map.of() : Map.of("FLOTILLA_JAVA_OPTS",
                String.join(" ", o.javaOpts));
        Progress.say("cold-start: %s%s", env.isEmpty() ? "" : env + " ", String.join(" ", cmd));
        if (o.launcher != null && o.prime && !archive(jar).startsWith(MAPPED)) {
            prime(cmd, env, dir, archive);
            archiveState = archive(jar) + " It was written by an unmeasured session just before (start, one round of "
                    + PRIME_TENANTS + " tenants, stop), as every start after the first one after a build has it.";
        }
        long t0 = System.nanoTime();
        ChildJvm dev = ChildJvm.launch("flotilla dev", cmd, env, dir.resolve("dev.log"));
        try {
            dev.await("is ready in", 120_000);
            long readyMs = (System.nanoTime() - t0) / 1_000_000;
            Api api = api(dev, dir.resolve("data"));
            ChildCounters start = ChildCounters.of(dev.pid());
            List<Round> rounds = rounds(api, dev.pid(), archive);
            return report(jar, readyMs, start, rounds);
        } finally {
            dev.terminate(STOP_SECONDS);
        }
    }

    /**
     * Starts {@code flotilla dev} once, unmeasured, on a data directory of its own, rolls out one
     * round and stops it, so that the launcher writes its class-data archive at exit.
     */
    private void prime(List<String> measuredCmd, Map<String, String> env, Path dir, byte[] archive) throws Exception {
        Path data = dir.resolve("prime-data");
        List<String> cmd = new ArrayList<>(measuredCmd);
        cmd.set(cmd.indexOf("--data-dir") + 1, data.toString());
        Progress.say("cold-start: no class-data archive yet; an unmeasured session writes it");
        ChildJvm dev = ChildJvm.launch("flotilla dev (archive)", cmd, env, dir.resolve("dev-prime.log"));
        try {
            dev.await("is ready in", 120_000);
            Api api = api(dev, data);
            api.push(PRIME_ENV, "v1", archive);
            Probe.until(() -> api.count(PRIME_ENV, "SYNCED"), PRIME_TENANTS, o.probeMs,
                    FlotillaRun.timeoutMs(PRIME_TENANTS));
        } finally {
            dev.terminate(STOP_SECONDS);
            session.discard(data);
        }
        sync();
    }

    /** The API of a {@code flotilla dev} that printed its ready line, with the admin token of {@code data}. */
    private static Api api(ChildJvm dev, Path data) throws Exception {
        String line = dev.await("API and registry:", 10_000);
        return Api.withDevToken(Api.port(line), data);
    }

    private List<Round> rounds(Api api, long pid, byte[] archive) throws InterruptedException {
        List<Round> rounds = new ArrayList<>();
        for (int i = 1; i <= o.rounds && !settled(rounds); i++) {
            String env = "round_" + i;
            ChildCounters before = ChildCounters.of(pid);
            Map<String, Long> threads = ChildCounters.threads(pid);
            long t = System.nanoTime();
            long pushAt = System.currentTimeMillis();
            api.push(env, "v1", archive);
            Probe p = Probe.until(() -> api.count(env, "SYNCED"), o.tenants, o.probeMs,
                    FlotillaRun.timeoutMs(o.tenants));
            Round r = new Round((System.nanoTime() - t) / 1_000_000, p.firstMillis(1) - pushAt,
                    ChildCounters.of(pid).minus(before), Environment.load().split(" ")[0]);
            rounds.add(r);
            say(i, r, threads, ChildCounters.threads(pid));
        }
        return rounds;
    }

    private void say(int i, Round r, Map<String, Long> threadsBefore, Map<String, Long> threadsAfter) {
        Progress.say("cold-start: round %d: %,d ms (the first SYNCED after %,d ms), %.0f tenants/s; JVM CPU %,d ms,"
                + " JIT %,d ms, %,d classes loaded, load %s", i, r.millis(), r.firstMillis(), r.rate(o.tenants),
                r.cost().cpuNanos() / 1_000_000, r.cost().jitNanos() / 1_000_000, r.cost().classes(), r.load());
        Progress.say("cold-start: round %d: CPU ms by thread: %s", i, ChildCounters.busiest(threadsBefore,
                threadsAfter, 14));
    }

    /** At least {@code --min-rounds}, and the last {@link #SETTLED_ROUNDS} within 10% of each other. */
    private boolean settled(List<Round> rounds) {
        if (rounds.size() < Math.max(o.minRounds, SETTLED_ROUNDS + 1)) {
            return false;
        }
        List<Round> last = rounds.subList(rounds.size() - SETTLED_ROUNDS, rounds.size());
        long min = last.stream().mapToLong(Round::millis).min().orElse(1);
        long max = last.stream().mapToLong(Round::millis).max().orElse(1);
        return max <= min * 1.10;
    }

    /** The median CPU of {@code rounds}. */
    private static long median(List<Round> rounds) {
        return rounds.stream().mapToLong(x -> x.cost().cpuNanos()).sorted().skip(rounds.size() / 2).findFirst()
                .orElse(0);
    }

    /** The median rate of the last {@link #SETTLED_ROUNDS} rounds. */
    private double steady(List<Round> rounds) {
        int from = Math.max(1, rounds.size() - SETTLED_ROUNDS);
        return rounds.subList(from, rounds.size()).stream().mapToDouble(r -> r.rate(o.tenants)).sorted()
                .skip((rounds.size() - from) / 2).findFirst().orElse(0);
    }

    private Report report(Path jar, long readyMs, ChildCounters start, List<Round> rounds) {
        Report r = new Report(String.format(Locale.ROOT, "The first rollout after `flotilla dev` starts, %,d SQLite"
                + " tenants a round", o.tenants), new String[] {"round", "push → all SYNCED", "→ first", "tenants/s",
                    "× steady", "JVM CPU", "JIT threads' CPU", "classes loaded (from CDS)", "JIT compilations",
                    "load"});
        double steady = steady(rounds);
        r.row("start → ready", String.format(Locale.ROOT, "%,d ms", readyMs), "–", "–", "–", ms(start.cpuNanos()),
                ms(start.jitNanos()), classes(start), Long.toString(start.compiles()), "–");
        for (int i = 0; i < rounds.size(); i++) {
            Round x = rounds.get(i);
            r.row(i == 0 ? "1 (cold)" : Integer.toString(i + 1), String.format(Locale.ROOT, "%,d ms", x.millis()),
                    String.format(Locale.ROOT, "%,d ms", x.firstMillis()), Report.fixed(x.rate(o.tenants), 0),
                    Report.ratio(x.rate(o.tenants) / steady), ms(x.cost().cpuNanos()), ms(x.cost().jitNanos()),
                    classes(x.cost()), Long.toString(x.cost().compiles()), x.load());
        }
        double cold = rounds.get(0).rate(o.tenants);
        r.check(new Check(String.format(Locale.ROOT, "first rollout after start / steady state, %,d SQLite tenants",
                o.tenants), String.format(Locale.ROOT, "%.0f / %.0f tenants/s = %s", cold, steady,
                Report.ratio(cold / steady)), "≥ 0.60×", cold >= 0.6 * steady));
        notes(r, jar, rounds);
        return r;
    }

    private void notes(Report r, Path jar, List<Round> rounds) {
        long settledCpu = median(rounds.subList(Math.max(1, rounds.size() - SETTLED_ROUNDS), rounds.size()));
        r.note(String.format(Locale.ROOT, "The process's CPU, which moves less with the machine's load than wall"
                + " time: round 1 %,d ms, the last %d rounds' median %,d ms, so round 1 cost %s a settled round.",
                rounds.get(0).cost().cpuNanos() / 1_000_000, SETTLED_ROUNDS, settledCpu / 1_000_000,
                Report.ratio((double) rounds.get(0).cost().cpuNanos() / Math.max(1, settledCpu))));
        if (archiveState != null) {
            r.note(archiveState);
        }
        r.note("Steady state: the median of the last " + SETTLED_ROUNDS + " rounds; rounds run until those lie"
                + " within 10% (at least " + Math.max(o.minRounds, SETTLED_ROUNDS + 1) + ", at most " + o.rounds
                + "). Each round pushes the 3-file directory to an env of its own over " + o.tenants
                + " new SQLite files; the first is pushed as soon as the process prints its ready line.");
        String opts = String.join(" ", o.javaOpts);
        r.note("`" + (o.launcher != null ? (opts.isEmpty() ? "" : "FLOTILLA_JAVA_OPTS=\"" + opts + "\" ")
                + o.launcher + " dev" : "java " + (opts.isEmpty() ? "" : opts + " ") + "-jar " + jar + " dev")
                + "`, embedded Kafka and PostgreSQL, worker defaults; CPU and counters of that process only (not its"
                + " PostgreSQL), from /proc and its hsperfdata. JIT CPU counts the compiler threads alive at both"
                + " ends of a round (\"–\": one ended).");
    }

    /** How {@link #archive} begins when the launcher has an archive for the jar. */
    static final String MAPPED = "The launcher mapped its class-data archive";

    /**
     * Whether the launcher mapped its class-data archive ({@code flotilla-<jar's mtime>.jsa} beside
     * the jar), as it does from the second start after a build, or wrote it at this run's exit.
     */
    static String archive(Path jar) {
        Path jsa = jar.resolveSibling("flotilla-" + jar.toFile().lastModified() / 1000 + ".jsa");
        return jsa.toFile().isFile()
                ? MAPPED + " " + jsa + " (" + (jsa.toFile().length() >> 20) + " MiB)."
                : "No class-data archive for this jar yet: the launcher had this run write " + jsa + " at exit.";
    }

    /**
     * Fails when the checkout's launcher would build before it starts (a main source newer than
     * the jar, as it checks): the run would time Maven, and install the modules.
     */
    private static void refuseToBuild(Path jar) throws IOException {
        Path root = jar.toAbsolutePath().getParent().getParent().getParent();
        long built = jar.toFile().lastModified();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root)) {
            Path newer = files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")
                    && f.toFile().lastModified() > built).findFirst().orElse(null);
            if (newer != null) {
                throw new IllegalStateException(newer + " is newer than " + jar + ", so the launcher would build"
                        + " first: build (mvn -B -q package -pl bench -am -DskipTests), or pass --flotilla-jar");
            }
        }
    }

    /** A CPU time; "–" when negative (compiler threads that ended took theirs with them). */
    private static String ms(long nanos) {
        return nanos < 0 ? "–" : String.format(Locale.ROOT, "%,d ms", nanos / 1_000_000);
    }

    private static String classes(ChildCounters c) {
        return String.format(Locale.ROOT, "%,d (%,d)", c.classes(), c.sharedClasses());
    }

    /** Writes back the fleets' directories and whatever ran before, so the cold round does not pay for it. */
    private static void sync() throws InterruptedException {
        try {
            new ProcessBuilder("sync").start().waitFor();
        } catch (IOException e) {
            Progress.say("could not run sync: %s", e.getMessage());
        }
    }
}
