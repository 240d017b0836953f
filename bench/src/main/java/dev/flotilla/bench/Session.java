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
                : new SqliteFleet(dir("fleets").resolve(label), names, keep);
    }

    /**
     * Runs {@code work} under a fresh {@link JvmMeter} after a full GC, so earlier garbage is not counted;
     * first waits for the machine to be quiet when asked to.
     */
    <T> Measured<T> measure(Callable<T> work) throws Exception {
        awaitQuiet();
        System.gc();
        JvmMeter m = JvmMeter.start(true);
        try {
            T value = work.call();
            return new Measured<>(value, m.stop());
        } finally {
            m.close();
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
