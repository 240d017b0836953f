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
final class Session implements AutoCloseable {
    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();
    /** At most this long each time ({@code -Dbench.settleMs}); Flotilla's PostgreSQL rollout needed 120-150 s. */
    static final long SETTLE_MS = Long.getLong("bench.settleMs", 180_000);

    /** How long after a mass deletion a measured stretch waits ({@code -Dbench.inodeWaitS}). */
    static final long INODE_WAIT_S = Long.getLong("bench.inodeWaitS", 370);

    private final Path work;
    private final PgServer pg;
    private final MariaDbServer maria;
    private final String runId;
    private final boolean keep;
    private final double quietLoad;
    private final int quietWaitSeconds;
    /** Removes the previous invocation's fleets: its end, in epoch seconds (0: unknown). */
    private final Path deletedAtFile;
    private long deletedAt;
    /** What {@link #close} removes: nothing is deleted while anything is measured (see {@link #later}). */
    private final List<Runnable> deletions = new java.util.ArrayList<>();
    /** The tablespace of PostgreSQL warm-up fleets ("" for the default), made on first use. */
    private String warmTablespace;

    /** Database-per-tenant fleets, made once per invocation and shared by its contenders, by kind and prefix. */
    private final java.util.Map<String, DatabaseFleet> databaseFleets = new java.util.HashMap<>();

    Session(Path root, PgServer pg, MariaDbServer maria, boolean keep, double quietLoad, int quietWaitSeconds) {
        this.quietLoad = quietLoad;
        this.quietWaitSeconds = quietWaitSeconds;
        this.runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"));
        this.work = root.resolve("run-" + runId).toAbsolutePath();
        this.pg = pg;
        this.maria = maria;
        this.keep = keep;
        this.deletedAtFile = root.resolve("deleted-at").toAbsolutePath();
        try {
            Files.createDirectories(work);
            deletedAt = Files.exists(deletedAtFile) ? Long.parseLong(Files.readString(deletedAtFile).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot prepare " + work + ": " + e.getMessage(), e);
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

    /** Removes {@code dir} and everything under it when the session ends, unless fleets are kept. */
    void discard(Path dir) {
        later(() -> {
            if (!Files.exists(dir)) {
                return;
            }
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                Progress.say("could not remove %s: %s", dir, e.getMessage());
            }
        });
    }

    /**
     * Runs {@code deletion} when the session ends, unless fleets are kept. Deleting thousands of
     * files (a fleet, a dropped database) makes ext4 slow to allocate inodes for minutes after:
     * {@code recently_deleted} skips every inode freed in the last 60 s (360 s while its inode
     * table block is dirty), so each new file scans on for a free one. Under perf that was most of
     * PostgreSQL's CPU in a measured rollout that followed the drop of a warm-up fleet's schemas
     * (Flotilla 146/s instead of 310/s, the floor 120/s instead of 210/s).
     */
    void later(Runnable deletion) {
        if (!keep) {
            deletions.add(deletion);
        }
    }

    /** Removes what the scenarios left (see {@link #later}) and notes when, for the next invocation. */
    @Override
    public void close() {
        if (deletions.isEmpty()) {
            return;
        }
        Progress.say("removing the fleets and scratch databases");
        for (Runnable d : deletions) {
            try {
                d.run();
            } catch (RuntimeException e) {
                Progress.say("could not remove: %s", e.getMessage());
            }
        }
        deletions.clear();
        if (warmTablespace != null && !warmTablespace.isEmpty()) {
            try {
                pg.dropTablespace(warmTablespace); // after the databases in it
            } catch (RuntimeException e) {
                Progress.say("could not drop tablespace %s: %s", warmTablespace, e.getMessage());
            }
            warmDir().toFile().delete(); // emptied by DROP TABLESPACE
        }
        try {
            Files.writeString(deletedAtFile, Long.toString(System.currentTimeMillis() / 1000));
        } catch (IOException e) {
            Progress.say("could not write %s: %s", deletedAtFile, e.getMessage());
        }
    }

    PgServer pg() {
        return pg;
    }

    MariaDbServer maria() {
        return maria;
    }

    boolean keep() {
        return keep;
    }

    /** A scratch database name unique to this invocation. */
    String database(String label) {
        return "bench_" + label + "_" + runId;
    }

    /**
     * A fresh fleet of {@code n} tenants, named by {@code label}; PostgreSQL ones in the tmpfs
     * tablespace too with {@code -Dbench.pgTmpfs=true} (CPU alone, without ext4's file creation).
     */
    Fleet fleet(String db, String label, int n) {
        List<String> names = Fleet.names("tenant", n);
        if (DatabaseFleet.handles(db)) {
            return databaseFleet(db, "bench_", names, Boolean.getBoolean("bench.pgTmpfs") ? warmTablespace() : "");
        }
        return "postgres".equals(db) ? new PostgresFleet(this, database(label), names,
                Boolean.getBoolean("bench.pgTmpfs") ? warmTablespace() : "")
                : new SqliteFleet(this, dir("fleets").resolve(label), names);
    }

    /**
     * A fresh fleet for a warm-up, which is emptied between passes ({@link Fleet#reset}). On
     * PostgreSQL its database lives in a tablespace on tmpfs: a pass drops a thousand schemas,
     * and on ext4 that deletion slows every file created in the next minute (see {@link #later}),
     * while keeping the schemas instead (renamed) made each later pass and the measured run slower
     * as the warm-up database grew (227/s after 18 passes, 196/s after 31, against 310/s).
     */
    Fleet warmFleet(String db, String label, int n) {
        if (DatabaseFleet.handles(db)) {
            return databaseFleet(db, "bench_warm_", Fleet.names("tenant", n), "postgres-db".equals(db)
                    ? warmTablespace() : "");
        }
        if (!"postgres".equals(db)) {
            return fleet(db, label, n);
        }
        return new PostgresFleet(this, database(label), Fleet.names("tenant", n), warmTablespace());
    }

    /**
     * The database-per-tenant fleet of {@code db} whose databases are named {@code prefix} + tenant:
     * created on first use (see {@link DatabaseFleet}), emptied on every later one. Every contender
     * thus takes the same databases, which a measured run finds emptied, their files deleted,
     * shortly before (the first contender finds them new).
     */
    private Fleet databaseFleet(String db, String prefix, List<String> names, String tablespace) {
        try {
            DatabaseFleet f = databaseFleets.get(db + "/" + prefix + names.size());
            if (f != null) {
                f.reset(0);
                return f;
            }
            f = DatabaseFleet.open(this, db, prefix, names, tablespace);
            databaseFleets.put(db + "/" + prefix + names.size(), f);
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing the " + db + " fleet", e);
        }
    }

    /** Where the warm-up tablespace's files go: tmpfs. */
    private Path warmDir() {
        return Path.of("/dev/shm", "flotilla-bench-pg-" + runId);
    }

    private String warmTablespace() {
        if (warmTablespace != null) {
            return warmTablespace;
        }
        warmTablespace = "";
        Path dir = warmDir();
        if (!pg.local() || !Files.isDirectory(dir.getParent())) {
            Progress.say("warm-up databases stay in the default tablespace: no local /dev/shm for PostgreSQL");
            return warmTablespace;
        }
        try {
            Files.createDirectories(dir);
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
            String name = "bench_warm_" + runId;
            pg.createTablespace(name, dir);
            warmTablespace = name;
        } catch (IOException | RuntimeException e) {
            Progress.say("warm-up databases stay in the default tablespace: cannot give PostgreSQL %s (%s)", dir,
                    e.getMessage());
        }
        return warmTablespace;
    }

    /**
     * Runs {@code work} under a fresh {@link JvmMeter} after a full GC, so earlier garbage is not counted;
     * first waits for the machine to be quiet when asked to. With {@code -Dbench.jfr=DIR}, also records
     * the stretch with JFR's "profile" settings into {@code DIR/<label>.jfr}.
     */
    <T> Measured<T> measure(String label, Callable<T> work) throws Exception {
        awaitInodes();
        pg.checkpoint();
        flushDisk();
        awaitQuiet();
        System.gc();
        long jit0 = JIT.getTotalCompilationTime();
        long jitCpu0 = JitCpu.nanos();
        try (Profile profile = Profile.start(label); JvmMeter m = JvmMeter.start(true)) {
            T value = work.call();
            Measured<T> done = new Measured<>(value, m.stop());
            Progress.say("%s: %,d ms; the JIT compiler threads were busy %,d ms of it and took %,d ms of CPU",
                    label, done.usage().wallNanos() / 1_000_000, JIT.getTotalCompilationTime() - jit0,
                    (JitCpu.nanos() - jitCpu0) / 1_000_000);
            return done;
        }
    }

    /**
     * Repeats {@code pass} until this JVM's JIT compiler threads were busy less than a tenth of a
     * pass, or for at most {@link #SETTLE_MS}; {@code prepare} (may be null) runs before each pass,
     * outside the pass's time. One warm-up pass left them compiling through the whole measured
     * Flotilla run: this JVM then runs the broker and every service, 2,000 hot methods for one C2
     * thread that shares the 2 cores.
     *
     * @param what what a pass does, for the progress line
     */
    void untilJitSettles(String who, String what, Callable<?> prepare, Callable<?> pass) throws Exception {
        untilJitSettles(who, what, Integer.MAX_VALUE, prepare, pass);
    }

    /** {@link #untilJitSettles(String, String, Callable, Callable)}, at most {@code maxPasses} passes. */
    void untilJitSettles(String who, String what, int maxPasses, Callable<?> prepare, Callable<?> pass)
            throws Exception {
        untilJitSettles(who, what, maxPasses, prepare, pass, () -> new long[0]);
    }

    /**
     * {@link #untilJitSettles(String, String, int, Callable, Callable)}, waiting for child JVMs' JIT
     * too: {@code children} gives each one's total compilation time so far (ms), and a pass counts as
     * settled only when every JVM's compiler threads were busy less than a tenth of it.
     */
    void untilJitSettles(String who, String what, int maxPasses, Callable<?> prepare, Callable<?> pass,
            Callable<long[]> children) throws Exception {
        long start = System.nanoTime();
        int passes = 0;
        while (true) {
            if (prepare != null) {
                prepare.call();
            }
            long[] children0 = children.call();
            long jit0 = JIT.getTotalCompilationTime();
            long jitCpu0 = JitCpu.nanos();
            long t0 = System.nanoTime();
            pass.call();
            passes++;
            long wallMs = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
            long busyMs = JIT.getTotalCompilationTime() - jit0;
            long[] children1 = children.call();
            for (int i = 0; i < children0.length; i++) {
                busyMs = Math.max(busyMs, children1[i] - children0[i]);
            }
            long spentMs = (System.nanoTime() - start) / 1_000_000;
            boolean settled = busyMs * 10 < wallMs;
            if (settled || spentMs > SETTLE_MS || passes == maxPasses) {
                Progress.say("%s: %d warm-up pass(es) %s in %,d ms; JIT busy %d ms (the busiest JVM; this one's"
                        + " CPU %d ms) of the last %d ms%s",
                        who, passes, what, spentMs, busyMs, (JitCpu.nanos() - jitCpu0) / 1_000_000, wallMs,
                        settled ? "" : " (gave up waiting for it to settle)");
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

    /**
     * Waits until the previous invocation's deletions are {@link #INODE_WAIT_S} old: ext4's
     * {@code recently_deleted} skips inodes freed in the last 60 s, or 360 s while their inode
     * table block is still dirty in memory (see {@link #later}).
     */
    void awaitInodes() throws InterruptedException {
        long waitS = deletedAt + INODE_WAIT_S - System.currentTimeMillis() / 1000;
        if (deletedAt > 0 && waitS > 0) {
            Progress.say("waiting %d s: the previous run removed its fleets %d s ago, and ext4 allocates new"
                    + " files slowly for minutes after a mass deletion", waitS, INODE_WAIT_S - waitS);
            Thread.sleep(waitS * 1000);
        }
        deletedAt = 0;
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
