package dev.flotilla.bench;

import dev.flotilla.migrate.exec.PreparedDirectory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code rollout}: the same fleet size, directory and parallelism through the floor (plain JDBC),
 * Flotilla's executor alone in the floor's loop, a Flyway loop and Flotilla end to end, each on a
 * fresh fleet after an unmeasured warm-up fleet; then each again with nothing new to apply.
 */
final class RolloutBench {
    /**
     * Tenants of the unmeasured warm-up fleet every contender runs first (rollout, then nothing new),
     * capped at the measured fleet's size: the same work once before the clock starts. 100 was too
     * few for the fabric: its JIT (broker, clients, services) kept compiling through a whole
     * 5,000-tenant run, C2 threads taking ~26% of the CPU (thread CPU from /proc), and still ~30%
     * of a nothing-new run after 2,000. A fabric runs for weeks; the floor's small loop is warm
     * after a few hundred tenants either way. Even one 5,000-tenant rollout left the fabric's C2
     * thread busy through the measured one, so the warm-up fleet now takes one rollout per file,
     * then is emptied and takes the whole directory until the JIT is idle, then nothing-new passes
     * until it is idle again ({@link Session#untilJitSettles}).
     */
    static final int WARMUP = 5000;

    /**
     * The warm-up fleet of the database-per-tenant layouts: a database per tenant costs 7.5 MB
     * (PostgreSQL, where warm-up databases live on tmpfs) and its creation and drop take long, and
     * a smaller fleet only takes more passes to let the JIT settle.
     */
    static final int WARMUP_DATABASES = 250;

    /**
     * What the rollout's settle passes do. The steps alone ran each tenant's apply path only a few
     * thousand times: on 1,000 PostgreSQL tenants, Flotilla's JIT then compiled through the whole
     * measured rollout (426 first-time compilations in its 4.5 s, by -XX:+LogCompilation), and the
     * nothing-new passes do not run that path.
     */
    static final String AGAIN = "of the whole directory on the emptied warm-up fleet";
    static final String NOTHING_NEW = "with nothing new";

    /**
     * What to run.
     *
     * @param db "sqlite", "postgres" (schema per tenant), "postgres-db" or "mariadb" (database per tenant)
     * @param tenants fleet size
     * @param parallel threads of the loops, and the worker's concurrency (and per-server budget)
     * @param contenders any of floor, executor, flyway, flotilla
     * @param noAction also run each again with nothing new
     * @param warmup tenants of the warm-up fleet each contender runs first, unmeasured (at most {@code tenants})
     * @param probeMs how often the API is polled for visibility
     */
    record Config(String db, int tenants, int parallel, Set<String> contenders, boolean noAction, int warmup,
            int probeMs) {
        Config {
            warmup = Math.min(warmup, tenants);
        }
    }

    private final Session session;
    private final Config c;
    private final List<Workload> steps;
    /** {@link #steps} split for the loops once, before any clock starts; the last is the measured directory. */
    private final List<PreparedDirectory> prepared = new ArrayList<>();
    /** The server's counters per tenant of each measured stretch ({@link ServerCounters}), by phase. */
    private final java.util.Map<String, List<String>> counters = new java.util.HashMap<>();

    RolloutBench(Session session, Config c) {
        this.session = session;
        this.c = c;
        this.steps = Workload.write(session.dir("workload-" + c.db()), 0)
                .steps(session.dir("workload-" + c.db() + "-steps"));
        for (Workload step : steps) {
            prepared.add(PreparedDirectory.of(step.directory(), dialect(c.db())));
        }
    }

    static dev.flotilla.migrate.sql.Dialect dialect(String db) {
        switch (db) {
            case "sqlite": return dev.flotilla.migrate.sql.Dialect.SQLITE;
            case "mariadb": return dev.flotilla.migrate.sql.Dialect.MYSQL;
            default: return dev.flotilla.migrate.sql.Dialect.POSTGRES;
        }
    }

    List<Report> run() throws Exception {
        List<Row> rollout = new ArrayList<>();
        List<Row> again = new ArrayList<>();
        FlotillaRun flotilla = null;
        if (c.contenders().contains("floor")) {
            loop("floor", "floor (plain JDBC)", rollout, again);
        }
        if (c.contenders().contains("executor")) {
            loop("executor", "MigrationExecutor alone (floor's loop)", rollout, again);
        }
        if (c.contenders().contains("flyway")) {
            loop("flyway", "Flyway " + Progress.version("org.flywaydb", "flyway-core"), rollout, again);
        }
        String flotillaError = null;
        if (c.contenders().contains("flotilla")) {
            try {
                flotilla = new FlotillaRun(session, c, steps, this::counted).run();
                rollout.add(flotilla.rollout());
                if (flotilla.again() != null) {
                    again.add(flotilla.again());
                }
            } catch (Exception e) {
                // the loops' rows are still worth printing; the check says Flotilla did not complete
                Progress.say("Flotilla did not complete: %s", e);
                e.printStackTrace();
                flotilla = null;
                flotillaError = String.valueOf(e).replace('|', '/');
            }
        }
        List<Report> reports = new RolloutReport(c, rollout, again, flotilla, flotillaError, counters).build();
        // Flotilla's store is on PostgreSQL whatever the targets are.
        reports.get(0).note("Servers: " + ServerSettings.postgres(session.pg()) + ("mariadb".equals(c.db())
                ? "; " + ServerSettings.mariadb(session.maria()) : "") + ".");
        return reports;
    }

    private void loop(String label, String name, List<Row> rollout, List<Row> again) throws Exception {
        Progress.say("%s: warm-up on %d tenants", name, c.warmup());
        // Neither fleet is removed before the invocation ends (Session#later): deleting thousands of
        // files slows the file system's next allocations for minutes.
        try (Fleet warm = session.warmFleet(c.db(), label + "_warmup", c.warmup());
             Fleet fleet = session.fleet(c.db(), label, c.tenants())) {
            for (int step = 0; step < steps.size(); step++) {
                TenantLoop.run(warm.tenants(), c.parallel(), label, task(label, warm, step));
            }
            session.untilJitSettles(name, AGAIN, () -> reset(warm), () -> applied(label, warm));
            Progress.say("%s: %d %s tenants, parallel %d", name, c.tenants(), c.db(), c.parallel());
            rollout.add(measured(name, fleet, label, "rollout"));
            if (c.noAction()) {
                settle(name, label, warm);
                Progress.say("%s: again, nothing new", name);
                again.add(measured(name, fleet, label, "nothing-new"));
            }
        }
    }

    /** Runs the warm-up fleet again (nothing new) until the JIT has caught up; see {@link Session#untilJitSettles}. */
    private void settle(String name, String label, Fleet warm) throws Exception {
        session.untilJitSettles(name, NOTHING_NEW, null, () -> whole(label, warm));
    }

    /** The whole directory over the emptied warm-up fleet; every tenant must take it. */
    private Outcome applied(String label, Fleet warm) throws InterruptedException {
        Outcome o = whole(label, warm);
        if (o.failed() > 0) {
            throw new IllegalStateException(label + ": " + o.failed() + " warm-up tenants failed: " + o.firstError());
        }
        return o;
    }

    private Object reset(Fleet warm) throws InterruptedException {
        warm.reset(c.parallel());
        return null;
    }

    private Row measured(String name, Fleet fleet, String label, String phase) throws Exception {
        java.util.Map<String, Long> before = ServerCounters.snapshot(session, c.db());
        Session.Measured<Outcome> m = session.measure(label + "-" + c.db() + "-" + phase,
                () -> whole(label, fleet));
        counted(phase, ServerCounters.perTenant(name, before, ServerCounters.snapshot(session, c.db()), c.tenants()));
        return new Row(name, m.value(), m.usage());
    }

    /** Keeps a note of what the server did in a measured stretch of {@code phase} (rollout, nothing-new). */
    void counted(String phase, String note) {
        if (note != null) {
            counters.computeIfAbsent(phase, k -> new ArrayList<>()).add(note);
        }
    }

    /** The loop {@code label} over {@code fleet} with the measured directory. */
    private Outcome whole(String label, Fleet fleet) throws InterruptedException {
        return TenantLoop.run(fleet.tenants(), c.parallel(), label, task(label, fleet, steps.size() - 1));
    }

    /** The loop {@code label} over {@code fleet}, applying the warm-up's step {@code step} (the last: the workload). */
    private TenantLoop.Task task(String label, Fleet fleet, int step) {
        switch (label) {
            case "floor": return new FloorLoop(fleet, prepared.get(step));
            case "executor": return new ExecutorLoop(fleet, prepared.get(step));
            default: return new FlywayLoop(fleet, steps.get(step).flywayDir());
        }
    }
}
