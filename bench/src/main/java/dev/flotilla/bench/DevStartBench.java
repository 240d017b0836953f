package dev.flotilla.bench;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dev-start}: {@code flotilla dev} from process start to its "ready" line, the first time on
 * an empty data directory (embedded PostgreSQL initialised, Kafka formatted), then again on the
 * same one; and from SIGTERM to the process's exit. It starts the JVM the way the {@code ./flotilla}
 * launcher at the checkout's root does for {@code dev} (C1 only, an application class-data archive
 * written by the first start after a build and mapped by every later one), without running the
 * launcher, which may build: {@link #LAUNCHER_FLAGS} and {@link #archiveFlags} mirror it, and the
 * table says which flags each start had. The archive-writing start is run first and reported on
 * its own row, not counted in the check.
 */
final class DevStartBench {
    /**
     * What {@code ./flotilla} (the launcher at the checkout's root) adds for {@code dev}, besides the
     * archive: keep the two the same.
     */
    static final List<String> LAUNCHER_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xlog:cds*=off");

    /** Options. */
    static final class Options {
        @Option(names = "--dev-runs", defaultValue = "3",
                description = "Starts; the first on an empty data directory (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--as-launcher", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Start the JVM as ./flotilla dev does: C1 only and a class-data archive, written by"
                        + " an extra first start (default: ${DEFAULT-VALUE}; --no-as-launcher: plain java -jar).")
        boolean asLauncher;

        @Option(names = "--flotilla-jar",
                description = "The CLI jar (default: cli/target/flotilla.jar of this checkout).")
        Path jar;
    }

    private final Session session;
    private final Options o;

    DevStartBench(Session session, Options o) {
        this.session = session;
        this.o = o;
    }

    Report run() throws Exception {
        Path jar = o.jar != null ? o.jar : findJar();
        Path dir = session.dir("dev-start");
        Path hcl = dir.resolve("atlas.hcl");
        try (Fleet tour = session.fleet("sqlite", "devstart", 5)) {
            new ProjectFile().env("prod", tour).write(hcl);
        }
        Path jsa = dir.resolve("flotilla.jsa");
        String flags = o.asLauncher ? String.join(" ", LAUNCHER_FLAGS) + " -XX:SharedArchiveFile=" + jsa.getFileName()
                : "none (plain java -jar)";
        Report r = new Report("`flotilla dev` start-up (" + jar + "; JVM flags: " + flags + ")", new String[] {"start",
            "data directory", "process start → ready line", "as it reports (\"ready in\")", "SIGTERM → exit"});
        if (o.asLauncher) {
            Path data = dir.resolve("data-archive");
            try {
                long[] t = start(jar, archiveFlags(jsa, true), hcl, data, dir.resolve("dev-archive.log"), "archive");
                r.row("0 (writes the archive; not counted)", "empty", t[0] + " ms", t[1] + " ms", t[2] + " ms");
            } catch (IllegalStateException e) {
                r.row("0 (writes the archive; not counted)", "empty", "did not start", "–", "–");
                r.note("The archive-writing start: " + e.getMessage().replace('|', '/'));
            }
            session.discard(data);
        }
        List<String> jvm = o.asLauncher && Files.exists(jsa) ? archiveFlags(jsa, false) : List.of();
        if (o.asLauncher && jvm.isEmpty()) {
            r.note("No class-data archive was written (" + jsa + "): the starts ran with C1 only and no archive.");
            jvm = LAUNCHER_FLAGS;
        }
        long worst = 0;
        long worstStop = 0;
        int ok = 0;
        for (int i = 1; i <= o.runs; i++) {
            boolean reuse = i == 2;
            Path data = dir.resolve("data-" + (reuse ? 1 : i));
            try {
                long[] t = start(jar, jvm, hcl, data, dir.resolve("dev-" + i + ".log"), Integer.toString(i));
                worst = Math.max(worst, t[0]);
                worstStop = Math.max(worstStop, t[2]);
                ok++;
                r.row(Integer.toString(i), reuse ? "reused (run 1's)" : "empty", t[0] + " ms", t[1] + " ms",
                        t[2] + " ms");
            } catch (IllegalStateException e) {
                r.row(Integer.toString(i), reuse ? "reused (run 1's)" : "empty", "did not start", "–", "–");
                r.note("Start " + i + ": " + e.getMessage().replace('|', '/'));
            }
        }
        for (int i = 1; i <= o.runs; i++) {
            session.discard(dir.resolve("data-" + i));
        }
        r.check(new Check("`flotilla dev` start → ready, worst of " + o.runs, ok == o.runs ? worst + " ms"
                : worst + " ms; " + (o.runs - ok) + " of " + o.runs + " did not start", "< 5 s",
                ok == o.runs && worst < 5_000));
        r.note("Embedded Kafka and embedded PostgreSQL, as `./flotilla dev` runs; the time includes JVM start-up."
                + " SIGTERM → exit: from the signal to the process's end (services, store, PostgreSQL and Kafka"
                + " stopped; the archive-writing start also dumps the archive then); worst " + worstStop + " ms.");
        return r;
    }

    /**
     * The launcher's flags for {@code dev} with the archive: {@code write} makes this start dump the
     * classes it loaded into {@code jsa} when it exits, as the first start after a build does;
     * otherwise it maps them.
     */
    static List<String> archiveFlags(Path jsa, boolean write) {
        List<String> flags = new ArrayList<>(LAUNCHER_FLAGS);
        flags.add((write ? "-XX:ArchiveClassesAtExit=" : "-XX:SharedArchiveFile=") + jsa);
        return flags;
    }

    /** Process start → ready line, the time it reports, SIGTERM → exit; in ms. */
    private long[] start(Path jar, List<String> jvm, Path hcl, Path data, Path log, String run) throws Exception {
        Progress.say("dev-start: run %s", run);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar.toString(), "dev", "--port", "0", "--data-dir", data.toString(), "--config",
                hcl.toString()));
        long t0 = System.nanoTime();
        ChildJvm dev = ChildJvm.launch("flotilla dev", cmd, log);
        long wall;
        long reported;
        try {
            String line = dev.await("is ready in", 120_000);
            wall = (System.nanoTime() - t0) / 1_000_000;
            reported = Long.parseLong(line.replaceAll(".*ready in (\\d+) ms.*", "$1"));
            String api = dev.await("API and registry:", 10_000);
            int port = Api.port(api);
            new Api(port, null).text("/health/ready");
        } catch (Exception | Error e) {
            dev.terminate();
            throw e;
        }
        long s0 = System.nanoTime();
        dev.terminate(60);
        return new long[] {wall, reported, (System.nanoTime() - s0) / 1_000_000};
    }

    static Path findJar() {
        for (Path base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
            Path jar = base.resolve("cli/target/flotilla.jar");
            if (Files.exists(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException(String.format(Locale.ROOT, "cli/target/flotilla.jar not found above %s;"
                + " build it (mvn -q -DskipTests install) or pass --flotilla-jar", Path.of("").toAbsolutePath()));
    }
}
