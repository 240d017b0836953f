package dev.flotilla.bench;

import dev.flotilla.cli.dev.DevServer;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code fan-out}: one deployment set over a very large env. The coordinator runs alone in a child
 * JVM with a capped heap; no worker runs, so the commands stay queued and the views show every
 * database PENDING. Measures the fan-out, the aggregator catching up, and the database-list API.
 */
final class FanOutBench {
    /** Options. */
    static final class Options {
        @Option(names = "--targets", defaultValue = "1000000",
                description = "Targets in the set (default: ${DEFAULT-VALUE}).")
        int targets;

        @Option(names = "--coordinator-heap", defaultValue = "512m",
                description = "The coordinator JVM's -Xmx (default: ${DEFAULT-VALUE}).")
        String heap;

        @Option(names = "--api-requests", defaultValue = "200",
                description = "Requests per API measurement (default: ${DEFAULT-VALUE}).")
        int requests;

        @Option(names = "--source", defaultValue = "sql",
                description = "Where the env's tenants come from: list (a static for_each list in the project file)"
                        + " or sql (for_each = toset(data.sql…values) over a PostgreSQL table of that many rows)"
                        + " (default: ${DEFAULT-VALUE}).")
        String source;
    }

    private static final String PUBLISHED = "flotilla_coordinator_commands_published_total";
    /** How long after the views filled the API is measured again (the "after" check). */
    static final int SETTLE_SECONDS = 10;

    private final Session session;
    private final Options o;
    private final Random random = new Random(42);

    FanOutBench(Session session, Options o) {
        this.session = session;
        this.o = o;
    }

    Report run() throws Exception {
        if (!List.of("list", "sql").contains(o.source)) {
            throw new IllegalArgumentException("--source is list or sql, not " + o.source);
        }
        Path dir = session.dir("fan-out");
        Workload w = Workload.write(session.dir("workload-fanout"), 0);
        // SQLite files are made by a worker's first connection; no worker runs here, so none is made.
        try (Fleet fleet = session.fleet("sqlite", "fanout", o.targets)) {
            Path hcl = "sql".equals(o.source) ? sqlProject(dir.resolve("atlas.hcl"), fleet)
                    : new ProjectFile().env("bench", fleet).write(dir.resolve("atlas.hcl"));
            Progress.say("fan-out: %d targets from a %s, coordinator -Xmx%s, no worker", o.targets,
                    "sql".equals(o.source) ? "data \"sql\" query" : "static list", o.heap);
            try (Fabric f = Fabric.start(session, "fan-out", hcl,
                    List.of(DevServer.Role.REGISTRY, DevServer.Role.AGGREGATOR), 1, 1);
                 ChildJvm coordinator = ChildJvm.start("coordinator", coordinatorJvm(),
                         ServiceProcess.class.getName(), List.of("coordinator", f.bootstrap(), f.storeJdbc(),
                                 hcl.toString(), dir.resolve("coordinator").toString(), "1", "1"),
                         dir.resolve("coordinator.log"))) {
                Api coord = Api.withDevToken(coordinator.awaitReady(300_000), dir.resolve("coordinator"));
                return measure(f, w, coordinator, coord);
            }
        }
    }

    /** The coordinator's JVM options: the heap cap, and a JFR profile of its run with {@code -Dbench.jfr=DIR}. */
    private List<String> coordinatorJvm() {
        String jfr = System.getProperty("bench.jfr");
        return jfr == null || jfr.isBlank() ? List.of("-Xmx" + o.heap) : List.of("-Xmx" + o.heap,
                "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                        + Path.of(jfr).toAbsolutePath().resolve("fan-out-coordinator.jfr"));
    }

    /**
     * A project file whose env lists its tenants with a {@code data "sql"} query over a table of
     * {@code --targets} rows in a database of its own (dropped at the end unless kept), the way a
     * fleet of a million is listed; each URL is the fleet's.
     */
    private Path sqlProject(Path file, Fleet fleet) throws java.io.IOException, java.sql.SQLException {
        String db = session.database("fanout_tenants");
        session.pg().create(db);
        session.later(() -> session.pg().drop(db));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(session.pg().jdbc(db));
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE tenants (name text PRIMARY KEY)");
            // The names Fleet.names gives: tenant_000001 …, seven digits from a million on.
            st.execute("INSERT INTO tenants SELECT 'tenant_' || lpad(g::text, greatest(6, length(g::text)), '0')"
                    + " FROM generate_series(1, " + o.targets + ") g");
        }
        java.nio.file.Files.writeString(file, "data \"sql\" \"tenants\" {\n  url   = \"" + session.pg().atlas(db)
                + "\"\n  query = \"SELECT name FROM tenants\"\n}\n\nenv \"bench\" {\n"
                + "  for_each = toset(data.sql.tenants.values)\n  url      = " + fleet.hclUrl() + "\n"
                + "  migration {\n    dir = \"atlas://bench\"\n  }\n}\n");
        return file;
    }

    private Report measure(Fabric f, Workload w, ChildJvm coordinator, Api coord) throws Exception {
        Api api = f.api();
        long t0 = System.nanoTime();
        api.push("bench", "v1", w.directory().toArchive());
        Probe fanned = Probe.until(() -> published(coord), o.targets, 50, 300_000);
        long fanOutMs = (fanned.doneNanos() - t0) / 1_000_000;
        Map<String, Long> heap = coordinator.stats();
        Progress.say("fan-out: published in %d ms; waiting for the views", fanOutMs);
        Stats during = Stats.of(whileIngesting(api));
        long viewsMs = (System.nanoTime() - t0) / 1_000_000;
        Progress.say("fan-out: %d databases in the views after %d ms; measuring the API", o.targets, viewsMs);
        Stats justAfter = Stats.of(pages(api, o.requests));
        // The views' maintenance (statistics, visibility map) runs once the aggregator
        // has been idle for a second; measure again once it had the time to.
        Progress.say("fan-out: measuring the API again after %d s", SETTLE_SECONDS);
        Thread.sleep(SETTLE_SECONDS * 1000L);
        Stats atRest = Stats.of(pages(api, o.requests));
        String setId = f.lastSet("bench");
        Stats sets = Stats.of(timed(api, o.requests / 10, () -> "/api/v1/deployment-sets?pageSize=20"));
        Stats set = Stats.of(timed(api, o.requests / 10, () -> "/api/v1/deployment-sets/" + setId + "?pageSize=20"));
        Report r = report(fanOutMs, viewsMs, heap, during, justAfter, atRest, sets, set);
        webUi(r, api);
        return r;
    }

    /** What a check's name adds when this run's set is not the million targets the checks are set for. */
    private String sized() {
        return o.targets == 1_000_000 ? ""
                : String.format(Locale.ROOT, " (target size: 1,000,000; ran %,d)", o.targets);
    }

    /**
     * The web UI's Databases page at fleet size, as the server answers it: its first screen (the
     * page of 50 and the two lists its filters come from, sent one after the other, so an upper
     * bound of the page's parallel requests), a filtered and a searched first screen, and "Next"
     * along the API's cursor from random depths.
     */
    private void webUi(Report r, Api api) {
        String size = sized();
        int n = Math.max(10, o.requests / 4);
        Stats first = Stats.of(timed(n, () -> firstScreen(api, "")));
        Stats filtered = Stats.of(timed(n, () -> firstScreen(api, "&status=PENDING&env=bench")));
        Stats searched = Stats.of(timed(n, () -> firstScreen(api, "&name=" + (1 + random.nextInt(o.targets)))));
        Stats next = Stats.of(nextPages(api, o.requests));
        r.row("web UI, Databases first screen (`databases?pageSize=50` + `directories` + `deployment-sets?pageSize=200`,"
                + " one after the other): n / p50 / p99", latency(first));
        r.row("web UI, the same filtered by status and env: n / p50 / p99", latency(filtered));
        r.row("web UI, the same searching a name: n / p50 / p99", latency(searched));
        r.row("web UI, Databases \"Next\" (`page.next` cursor, from random depths): n / p50 / p99", latency(next));
        r.check(new Check("web UI Databases first screen p99" + size, first.quantile(0.99) / 1_000_000 + " ms",
                "< 300 ms", first.quantile(0.99) < 300_000_000L));
        r.check(new Check("web UI Databases name search p99" + size, searched.quantile(0.99) / 1_000_000 + " ms",
                "< 300 ms", searched.quantile(0.99) < 300_000_000L));
        r.check(new Check("web UI Databases next page p99" + size, next.quantile(0.99) / 1_000_000 + " ms",
                "< 300 ms", next.quantile(0.99) < 300_000_000L));
    }

    private static long firstScreen(Api api, String filter) {
        long t0 = System.nanoTime();
        api.get("/api/v1/databases?pageSize=50" + filter);
        api.get("/api/v1/directories?pageSize=500");
        api.get("/api/v1/deployment-sets?pageSize=200");
        return System.nanoTime() - t0;
    }

    /** Chains of ten "Next" clicks, each starting on a random page; every click timed. */
    private long[] nextPages(Api api, int n) {
        long[] out = new long[n];
        int i = 0;
        for (int chains = 0; i < n && chains < n; chains++) {
            int start = 1 + random.nextInt(Math.max(1, o.targets / 50 - 10));
            String path = api.get("/api/v1/databases?pageSize=50&page=" + start).path("page").path("next").asText(null);
            for (int k = 0; k < 10 && i < n && path != null; k++) {
                long t0 = System.nanoTime();
                path = api.get(path).path("page").path("next").asText(null);
                out[i++] = System.nanoTime() - t0;
            }
        }
        return java.util.Arrays.copyOf(out, i);
    }

    private static long[] timed(int n, java.util.function.LongSupplier one) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = one.getAsLong();
        }
        return out;
    }

    private Report report(long fanOutMs, long viewsMs, Map<String, Long> heap, Stats during, Stats justAfter,
            Stats atRest, Stats sets, Stats set) {
        Report r = new Report(String.format(Locale.ROOT, "Fan-out: one deployment set of %,d targets (%s)", o.targets,
                "sql".equals(o.source) ? "data \"sql\" over a table" : "static for_each list"),
                new String[] {"measure", "value"});
        r.row("push → coordinator published every command", String.format(Locale.ROOT, "%,d ms", fanOutMs));
        r.row("push → every database in the views (PENDING)", String.format(Locale.ROOT, "%,d ms", viewsMs));
        r.row("coordinator heap (-Xmx" + o.heap + "): peak used / max live after GC / GC time",
                String.format(Locale.ROOT, "%d / %d MiB / %d ms", heap.get("peakMiB"), heap.get("liveMiB"),
                        heap.get("gcMs")));
        r.row("coordinator CPU since start", String.format(Locale.ROOT, "%,d ms", heap.get("cpuMs")));
        r.row("`GET /api/v1/databases?page=…&pageSize=20` while the views fill: n / p50 / p99", latency(during));
        r.row("`GET /api/v1/databases?page=…&pageSize=20` right after: n / p50 / p99", latency(justAfter));
        r.row("`GET /api/v1/databases?page=…&pageSize=20` " + SETTLE_SECONDS + " s after: n / p50 / p99",
                latency(atRest));
        r.row("`GET /api/v1/deployment-sets?pageSize=20`: n / p50 / p99", latency(sets));
        r.row("`GET /api/v1/deployment-sets/{id}?pageSize=20`: n / p50 / p99", latency(set));
        String size = sized();
        r.check(new Check("coordinator heap, one set" + size, heap.get("peakMiB") + " MiB peak, ran in -Xmx" + o.heap,
                "< 512 MiB", heap.get("peakMiB") < 512));
        r.check(new Check("`GET /databases?page=…` p99 " + SETTLE_SECONDS + " s after" + size, atRest.quantile(0.99) / 1_000_000 + " ms",
                "< 50 ms", atRest.quantile(0.99) < 50_000_000L));
        r.check(new Check("`GET /databases?page=…` p99 while the views fill" + size, during.count() == 0 ? "–"
                : during.quantile(0.99) / 1_000_000 + " ms", "< 50 ms",
                during.count() > 0 && during.quantile(0.99) < 50_000_000L));
        r.check(new Check("push → every command published" + size, String.format(Locale.ROOT, "%,d ms", fanOutMs),
                "< 60 s", fanOutMs < 60_000));
        r.note("Random pages of 20 over every database of the env, one request at a time; latency is the client's"
                + " (HTTP on loopback included).");
        return r;
    }

    private static String latency(Stats s) {
        return s.count() == 0 ? "–" : String.format(Locale.ROOT, "%d / %.1f ms / %.1f ms", s.count(),
                s.quantile(0.5) / 1e6, s.quantile(0.99) / 1e6);
    }

    private long published(Api coord) {
        for (String line : coord.text("/metrics").split("\n")) {
            if (line.startsWith(PUBLISHED)) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** Random-page requests, one at a time, until the views hold every target. */
    private long[] whileIngesting(Api api) {
        long[] out = new long[100_000];
        int n = 0;
        while (api.count("bench", null) < o.targets) {
            if (n < out.length) {
                out[n++] = timed(api, randomPage());
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private long[] pages(Api api, int n) {
        return timed(api, n, this::randomPage);
    }

    private String randomPage() {
        return "/api/v1/databases?env=bench&pageSize=20&page=" + (1 + random.nextInt(Math.max(1, o.targets / 20)));
    }

    private static long[] timed(Api api, int n, java.util.function.Supplier<String> path) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = timed(api, path.get());
        }
        return out;
    }

    private static long timed(Api api, String path) {
        long t0 = System.nanoTime();
        api.get(path);
        return System.nanoTime() - t0;
    }
}
