package dev.flotilla.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What every scenario of one benchmark invocation shares: a work directory, the PostgreSQL server,
 * a run id for scratch database names, and whether to keep fleets afterwards.
 */
final class Session {
    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();
    private static final long SETTLE_MS = 60_000;

    private final Path work;
    private final PgServer pg;
    private final String runId;
    private final boolean keep;
    private final double quietLoad;
    private final int quietWaitSeconds;

    Session(Path root, PgServer pg, boolean keep, double quietLoad, int quietWaitSeconds) {
        this.quietLoad = quietLoad;
        this.quietWaitSeconds = quietWaitSeconds;
        this.runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"));
        this.work = root.resolve("run-" + runId).toAbsolutePath();
        this.pg = pg;
        this.keep = keep;
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + work, e);
        }
    }

    Path dir(String name) {
        Path d = work.resolve(name);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + d, e);
        }
        return d;
    }

    /** Removes {@code dir} and everything under it unless fleets are kept; a failure is only reported. */
    void discard(Path dir) {
        if (keep || !Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            Progress.say("could not remove %s: %s", dir, e.getMessage());
        }
    }

    PgServer pg() {
        return pg;
    }

    boolean keep() {
        return keep;
    }

    /** A scratch database name unique to this invocation. */
    String database(String label) {
        return "bench_" + label + "_" + runId;
    }

    /** A fresh fleet of {@code n} tenants, named by {@code label}. */
    Fleet fleet(String db, String label, int n) {
        List<String> names = Fleet.names("tenant", n);
        return "postgres".equals(db) ? new PostgresFleet(pg, database(label), names, keep)
                : new SqliteFleet(this, dir("fleets").resolve(label), names);
    }

    /**
     * Runs {@code work} under a fresh {@link JvmMeter} after a full GC, so earlier garbage is not counted;
     * first waits for the machine to be quiet when asked to. With {@code -Dbench.jfr=DIR}, also records
     * the stretch with JFR's "profile" settings into {@code DIR/<label>.jfr}.
     */
    <T> Measured<T> measure(String label, Callable<T> work) throws Exception {
        flushDisk();
        awaitQuiet();
        System.gc();
        long jit0 = JIT.getTotalCompilationTime();
        try (Profile profile = Profile.start(label); JvmMeter m = JvmMeter.start(true)) {
            T value = work.call();
            Measured<T> done = new Measured<>(value, m.stop());
            Progress.say("%s: %,d ms; the JIT compiler threads were busy %,d ms of it", label,
                    done.usage().wallNanos() / 1_000_000, JIT.getTotalCompilationTime() - jit0);
            return done;
        }
    }

    /**
     * Repeats {@code pass} (a cheap one: nothing new) until this JVM's JIT compiler threads were
     * busy less than a tenth of a pass, or for at most {@link #SETTLE_MS}. One warm-up pass left
     * them compiling through the whole measured Flotilla run: this JVM then runs the broker and
     * every service, 2,000 hot methods for one C2 thread that shares the 2 cores.
     */
    void untilJitSettles(String who, Callable<?> pass) throws Exception {
        long start = System.nanoTime();
        int passes = 0;
        while (true) {
            long jit0 = JIT.getTotalCompilationTime();
            long t0 = System.nanoTime();
            pass.call();
            passes++;
            long wallMs = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
            long busyMs = JIT.getTotalCompilationTime() - jit0;
            long spentMs = (System.nanoTime() - start) / 1_000_000;
            if (busyMs * 10 < wallMs || spentMs > SETTLE_MS) {
                Progress.say("%s: %d warm-up pass(es) with nothing new in %,d ms; JIT busy %d ms of the last"
                        + " %d ms%s", who, passes, spentMs, busyMs, wallMs, busyMs * 10 < wallMs ? ""
                        : " (gave up waiting for it to settle)");
                return;
            }
        }
    }

    /**
     * Writes back what earlier stretches left dirty (fleets created and deleted), so that it is not
     * written back, at the cost of whoever runs next, during the next measured stretch. SQLite
     * rollouts on this kind of disk are mostly kernel work (72-87% of their CPU under perf).
     */
    private static void flushDisk() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("sync").redirectErrorStream(true).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroy();
            }
        } catch (IOException e) {
            Progress.say("could not run sync: %s", e.getMessage());
        }
    }

    private void awaitQuiet() throws InterruptedException {
        if (quietLoad <= 0) {
            return;
        }
        long deadline = System.nanoTime() + quietWaitSeconds * 1_000_000_000L;
        while (Double.parseDouble(Environment.load().split(" ")[0]) > quietLoad && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        Progress.say("load average %s", Environment.load());
    }

    /**
     * A value and what producing it cost.
     *
     * @param value the value
     * @param usage the cost
     * @param <T> value type
     */
    record Measured<T>(T value, Usage usage) {
    }
}
