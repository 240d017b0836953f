package dev.flotilla.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns the rows of a {@code rollout} run into its two tables, with the target checks. */
final class RolloutReport {
    private final RolloutBench.Config c;
    private final List<Row> rollout;
    private final List<Row> again;
    private final FlotillaRun flotilla;
    /** Why the Flotilla contender did not complete, or null. */
    private final String flotillaError;
    /** What the target server did per tenant in each measured stretch, by phase ({@link ServerCounters}). */
    private final java.util.Map<String, List<String>> counters;

    RolloutReport(RolloutBench.Config c, List<Row> rollout, List<Row> again, FlotillaRun flotilla,
            String flotillaError, java.util.Map<String, List<String>> counters) {
        this.counters = counters;
        this.c = c;
        this.rollout = rollout;
        this.again = again;
        this.flotilla = flotilla;
        this.flotillaError = flotillaError;
    }

    private boolean sqlite() {
        return "sqlite".equals(c.db());
    }

    private String db() {
        switch (c.db()) {
            case "sqlite": return "SQLite";
            case "postgres-db": return "PostgreSQL database-per-tenant";
            case "mariadb": return "MariaDB database-per-tenant";
            default: return "PostgreSQL";
        }
    }

    private boolean databasePerTenant() {
        return DatabaseFleet.handles(c.db());
    }

    List<Report> build() {
        List<Report> out = new ArrayList<>();
        out.add(rolloutTable());
        if (!again.isEmpty()) {
            out.add(againTable());
        }
        return out;
    }

    private Report rolloutTable() {
        Report r = table("Rollout: " + fleet() + ", 3-file directory, parallelism " + c.parallel(), rollout);
        Row floor = find(rollout, "floor");
        Row flyway = find(rollout, "Flyway");
        Row fl = find(rollout, "Flotilla (");
        int designSize = sqlite() ? 5000 : 1000;
        if (fl != null && floor != null) {
            // Today's targets (docs/architecture.md): 1.0x on SQLite and per database, 1.8x per schema.
            double min = sqlite() || databasePerTenant() ? 1.0 : 1.8;
            r.check(ratio(db() + ": Flotilla/floor tenants/s" + sized(designSize), fl, floor, min));
        }
        Row executor = find(rollout, "MigrationExecutor alone");
        if (sqlite() && fl != null && executor != null) {
            // the fabric's own cost: Flotilla end to end against the executor alone in the floor's loop
            r.check(ratio(db() + ": Flotilla/executor alone tenants/s" + sized(designSize), fl, executor, 0.9));
        }
        if (fl != null && flyway != null) {
            r.check(sqlite() ? ratio(db() + ": Flotilla/Flyway tenants/s" + sized(designSize), fl, flyway, 2.0)
                    : new Check(db() + ": Flotilla/Flyway tenants/s", Report.ratio(fl.perSecond() / flyway.perSecond()),
                    "none for " + db(), null));
        }
        if (flotilla != null) {
            visibility(r);
            r.note(flotilla.timeline());
        }
        if (flotillaError != null) {
            r.check(new Check(db() + ": Flotilla/floor tenants/s" + sized(sqlite() ? 5000 : 1000), "did not complete",
                    "completes", false));
            r.note("Flotilla did not complete: " + flotillaError + " (its services' log lines are on stderr).");
        }
        serverNotes(r, "rollout");
        notes(r);
        return r;
    }

    private void visibility(Report r) {
        Stats v = Stats.of(flotilla.visibilityMs());
        PromHistogram h = flotilla.visibilityMetric();
        r.check(new Check(db() + ": result → visible in the API, p99 during the rollout" + (sqlite() ? sized(5000)
                : " (the target is set for the SQLite rollout)"),
                String.format(Locale.ROOT, "p50 %d ms, p99 %d ms", v.quantile(0.5), v.quantile(0.99)),
                "p99 < 100 ms", sqlite() ? Boolean.valueOf(v.quantile(0.99) < 100) : null));
        r.note(String.format(Locale.ROOT, "Visibility is measured by polling `GET /api/v1/databases?status=SYNCED`"
                + " every %d ms and matching the k-th result produced (record time on `flotilla.results`) with the"
                + " first answer counting k; the aggregator's own `%s` (record time → view commit; it times %d"
                + " events, progress events included, not only the %d results) says p50 %.0f ms, p99 %.0f ms.",
                c.probeMs(), FlotillaRun.VISIBILITY, (long) h.count(), v.count(),
                h.quantile(0.5) * 1000, h.quantile(0.99) * 1000));
    }

    private Report againTable() {
        Report r = table("Nothing new: the same " + fleet() + " again (Flotilla: `POST /api/v1/deployments` of the"
                + " same tag → every target NO_ACTION)", again);
        Row fl = find(again, "Flotilla (");
        if (fl != null) {
            r.check(new Check(db() + ": nothing new → NO_ACTION" + (sqlite() ? sized(5000)
                    : " (the target is set for 5,000 SQLite tenants)"),
                    Report.fixed(fl.perSecond(), 0) + " tenants/s", "≥ 10,000 tenants/s",
                    sqlite() ? Boolean.valueOf(fl.perSecond() >= 10_000) : null));
        }
        if (flotilla != null && flotilla.againTimeline() != null) {
            r.note(flotilla.againTimeline());
        }
        serverNotes(r, "nothing-new");
        Row floor = find(again, "floor");
        if (fl != null && floor != null) {
            r.check(new Check(db() + ": Flotilla/floor tenants/s, nothing new",
                    Report.ratio(fl.perSecond() / floor.perSecond()),
                    "none", null));
        }
        return r;
    }

    private void serverNotes(Report r, String phase) {
        List<String> notes = counters.getOrDefault(phase, List.of());
        if (!notes.isEmpty()) {
            r.note("What the target server did, per tenant (" + ("mariadb".equals(c.db()) ? "`SHOW GLOBAL STATUS`"
                    : "`pg_stat_database` over the tenant databases") + ", before and after the stretch): "
                    + String.join("; ", notes) + ".");
        }
    }

    private Report table(String title, List<Row> rows) {
        Report r = new Report(title, Row.HEADER);
        rows.forEach(row -> r.row(row.cells()));
        return r;
    }

    private void notes(Report r) {
        r.note("Per-tenant latency: floor and Flyway from connect to close on their pool thread; Flotilla from the"
                + " worker's start to end of apply as its result reports it (after connecting, excluding time queued"
                + " in Kafka and in the worker).");
        r.note("CPU is this JVM's process CPU (the embedded Kafka broker and every Flotilla service included); DB CPU"
                + " is the local PostgreSQL server's (targets and Flotilla's store; other clients of that server"
                + " too)" + ("mariadb".equals(c.db()) ? " plus the local MariaDB server's (the targets)" : "") + ".");
        r.note("Each contender gets a fresh fleet and first brings an unmeasured warm-up fleet of " + c.warmup()
                + " tenants to the directory one file at a time (one rollout per file); then empties it and applies"
                + " the whole directory again (Flotilla: pushed to an env of targets it has not seen) until its JVM's"
                + " JIT compiler threads are idle (at most " + Session.SETTLE_MS / 1000 + " s); before the nothing-new"
                + " measurement, runs it with nothing new until they are idle again."
                + (sqlite() || "mariadb".equals(c.db()) ? "" : " PostgreSQL warm-up databases live in a tablespace on"
                + " tmpfs" + (Boolean.getBoolean("bench.pgTmpfs") ? ", and in this run the measured ones too"
                : "; the measured ones in the server's default one") + ".")
                + (databasePerTenant() ? " Database-per-tenant: the " + c.tenants() + " tenant databases (and the "
                + c.warmup() + " of the warm-up fleet) are created once per invocation and shared by the"
                + " contenders; each contender finds them emptied when it starts its warm-up (MariaDB: each"
                + " database dropped and created again; PostgreSQL: its schemas dropped), so its measured fleet's"
                + " files were deleted during its warm-up, not 370 s before, and the first contender's fleet is"
                + " new." : "") + " Nothing is deleted until the whole"
                + " invocation ends, and a measured stretch starts at least " + Session.INODE_WAIT_S + " s after the"
                + " previous invocation's deletions, after a CHECKPOINT and a sync. \"MigrationExecutor alone\" is"
                + " the executor every worker runs, called in the floor's loop (no Kafka, no events, no views): the"
                + " gap floor → executor is the executor's, executor → Flotilla the fabric's.");
        r.note("load: the machine's 1-minute load average when the run ended, this benchmark's own threads"
                + " included.");
    }

    private String fleet() {
        String what;
        switch (c.db()) {
            case "sqlite": what = "SQLite tenant files"; break;
            case "postgres-db": what = "PostgreSQL database-per-tenant tenants (`postgres://…/bench_tenant_N`)"; break;
            case "mariadb": what = "MariaDB database-per-tenant tenants (`mysql://…/bench_tenant_N`)"; break;
            default: what = "PostgreSQL schema-per-tenant tenants";
        }
        return String.format(Locale.ROOT, "%,d %s", c.tenants(), what);
    }

    private String sized(int designSize) {
        return c.tenants() == designSize ? String.format(Locale.ROOT, " (%,d tenants)", designSize)
                : String.format(Locale.ROOT, " (target size: %,d tenants; ran %,d)", designSize, c.tenants());
    }

    private static Check ratio(String what, Row a, Row b, double min) {
        double v = a.perSecond() / b.perSecond();
        return new Check(what, Report.ratio(v), "≥ " + Report.ratio(min), v >= min);
    }

    private static Row find(List<Row> rows, String prefix) {
        return rows.stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElse(null);
    }
}
