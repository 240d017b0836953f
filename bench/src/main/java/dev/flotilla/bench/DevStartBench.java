package dev.flotilla.bench;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dev-start}: {@code java -jar cli/target/flotilla.jar dev} from process start to its
 * "ready" line, the first time on an empty data directory (embedded PostgreSQL initialised, Kafka
 * formatted), then again on the same one.
 */
final class DevStartBench {
    /** Options. */
    static final class Options {
        @Option(names = "--dev-runs", defaultValue = "3",
                description = "Starts; the first on an empty data directory (default: ${DEFAULT-VALUE}).")
        int runs;

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
        Report r = new Report("`flotilla dev` start-up (" + jar + ")", new String[] {"start", "data directory",
            "process start → ready line", "as it reports (\"ready in\")"});
        long worst = 0;
        int ok = 0;
        for (int i = 1; i <= o.runs; i++) {
            boolean reuse = i == 2;
            Path data = dir.resolve("data-" + (reuse ? 1 : i));
            try {
                long[] t = start(jar, hcl, data, dir.resolve("dev-" + i + ".log"), i);
                worst = Math.max(worst, t[0]);
                ok++;
                r.row(Integer.toString(i), reuse ? "reused (run 1's)" : "empty", t[0] + " ms", t[1] + " ms");
            } catch (IllegalStateException e) {
                r.row(Integer.toString(i), reuse ? "reused (run 1's)" : "empty", "did not start", "–");
                r.note("Start " + i + ": " + e.getMessage().replace('|', '/'));
            }
        }
        for (int i = 1; i <= o.runs; i++) {
            session.discard(dir.resolve("data-" + i));
        }
        r.check(new Check("`flotilla dev` start → ready, worst of " + o.runs, ok == o.runs ? worst + " ms"
                : worst + " ms; " + (o.runs - ok) + " of " + o.runs + " did not start", "< 5 s",
                ok == o.runs && worst < 5_000));
        r.note("Embedded Kafka and embedded PostgreSQL, as `./flotilla dev` runs; the time includes JVM start-up.");
        return r;
    }

    private long[] start(Path jar, Path hcl, Path data, Path log, int i) throws Exception {
        Progress.say("dev-start: run %d", i);
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString(), "dev", "--port", "0", "--data-dir", data.toString(), "--config", hcl.toString()));
        long t0 = System.nanoTime();
        ChildJvm dev = ChildJvm.launch("flotilla dev", cmd, log);
        try {
            String line = dev.await("is ready in", 120_000);
            long wall = (System.nanoTime() - t0) / 1_000_000;
            String reported = line.replaceAll(".*ready in (\\d+) ms.*", "$1");
            String api = dev.await("API and registry:", 10_000);
            int port = Integer.parseInt(api.replaceAll(".*:(\\d+)/api/v1.*", "$1"));
            new Api(port, null).text("/health/ready");
            return new long[] {wall, Long.parseLong(reported)};
        } finally {
            dev.terminate();
        }
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
