package dev.flotilla.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code flotilla-bench}: measures Flotilla against its floor and its peers; prints Markdown tables on stdout. */
@Command(name = "flotilla-bench", mixinStandardHelpOptions = true,
        description = "Measures the whole fabric against a plain JDBC loop and a Flyway loop, and the other numbers"
                + " docs/architecture.md holds the product to. Tables go to stdout (Markdown), progress to stderr.",
        subcommands = {Main.Rollout.class, Main.RolloutStaged.class, Main.ScaleOut.class, Main.FanOut.class, Main.DevStart.class,
            Main.ColdStart.class, Main.All.class})
public final class Main implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-") && !"help".equals(args[0])) {
            header(args);
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 2;
    }

    /** Options every scenario shares. */
    static final class Common {
        @Option(names = "--work-dir", defaultValue = "${java.io.tmpdir}/flotilla-bench",
                description = "Where fleets, Kafka logs and project files go (default: ${DEFAULT-VALUE}).")
        Path workDir;

        @Option(names = "--pg", defaultValue = "postgres://postgres@127.0.0.1:5432",
                description = "PostgreSQL for schema fleets and Flotilla's store; scratch databases are created and"
                        + " dropped (default: ${DEFAULT-VALUE}).")
        String pg;

        @Option(names = "--mysql", defaultValue = "mysql://root@127.0.0.1:3306",
                description = "MariaDB (or MySQL) for --db mariadb: a database per tenant, bench_tenant_N, created"
                        + " once and dropped at the end (default: ${DEFAULT-VALUE}).")
        String mysql;

        @Option(names = "--keep", description = "Keep fleets and scratch databases afterwards (database-per-tenant"
                + " fleets are then found and emptied by the next invocation instead of created again).")
        boolean keep;

        @Option(names = "--quiet-load", defaultValue = "0", description = "Before each measured run, wait until the"
                + " 1-minute load average is at most this (0: don't wait; default: ${DEFAULT-VALUE}).")
        double quietLoad;

        @Option(names = "--quiet-wait", defaultValue = "300", description = "Longest wait for --quiet-load, seconds"
                + " (default: ${DEFAULT-VALUE}).")
        int quietWait;

        Session session() {
            return new Session(workDir, PgServer.parse(pg), MariaDbServer.parse(mysql), keep, quietLoad, quietWait);
        }
    }

    /** Options of the rollout scenario. */
    static final class RolloutOptions {
        @Option(names = "--tenants", description = "Fleet size (default: 5000 for sqlite, 1000 for the others, as in"
                + " docs/architecture.md).")
        Integer tenants;

        @Option(names = "--parallel", defaultValue = "8", description = "Loop threads and worker concurrency"
                + " (default: ${DEFAULT-VALUE}).")
        int parallel;

        @Option(names = "--db", defaultValue = "sqlite",
                description = "sqlite (a file per tenant), postgres (a schema per tenant), postgres-db (a database"
                        + " per tenant on --pg) or mariadb (a database per tenant on --mysql) (default:"
                        + " ${DEFAULT-VALUE}).")
        String db;

        @Option(names = "--only", split = ",", description = "Contenders to run: floor, executor (Flotilla's"
                + " executor alone in the floor's loop), flyway, flotilla (default: all).")
        List<String> only = List.of("floor", "executor", "flyway", "flotilla");

        @Option(names = "--nothing-new", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Also run each contender again with nothing new (default: on).")
        boolean nothingNew;

        @Option(names = "--warmup", description = "Unmeasured warm-up fleet size per contender, capped at --tenants"
                + " (default: " + RolloutBench.WARMUP + "; " + RolloutBench.WARMUP_DATABASES + " for the"
                + " database-per-tenant layouts, whose fleet is emptied between passes).")
        Integer warmup;

        @Option(names = "--probe-ms", defaultValue = "25", description = "API polling interval for visibility"
                + " (default: ${DEFAULT-VALUE}).")
        int probeMs;

        RolloutBench.Config config() {
            if (!List.of("sqlite", "postgres", "postgres-db", "mariadb").contains(db)) {
                throw new IllegalArgumentException("--db must be sqlite, postgres, postgres-db or mariadb, not " + db);
            }
            int n = tenants != null ? tenants : "sqlite".equals(db) ? 5000 : 1000;
            Set<String> contenders = new LinkedHashSet<>(only);
            int w = warmup != null ? warmup : DatabaseFleet.handles(db) ? RolloutBench.WARMUP_DATABASES
                    : RolloutBench.WARMUP;
            return new RolloutBench.Config(db, n, parallel, contenders, nothingNew, w, probeMs);
        }
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true, description = "Floor, Flyway and Flotilla on the"
            + " same fleet; then the same with nothing new.")
    static final class Rollout implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @CommandLine.Mixin
        RolloutOptions options;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                return print(new RolloutBench(s, options.config()).run());
            }
        }
    }

    @Command(name = "rollout-staged", mixinStandardHelpOptions = true, description = "A staged rollout (canary, then"
            + " waves whose parallel adds up to the worker's concurrency) against a flat one on SQLite tenants; then"
            + " how many targets start after a halt threshold is crossed.")
    static final class RolloutStaged implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @CommandLine.Mixin
        StagedBench.Options options;

        @Option(names = "--parallel", defaultValue = "8", description = "Worker concurrency (default: ${DEFAULT-VALUE}).")
        int parallel;

        @Option(names = "--probe-ms", defaultValue = "25", description = "API polling interval (default:"
                + " ${DEFAULT-VALUE}).")
        int probeMs;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                return print(new StagedBench(s, options, parallel, probeMs).run());
            }
        }
    }

    @Command(name = "scale-out", mixinStandardHelpOptions = true, description = "N worker processes (default 4)"
            + " against one, on PostgreSQL targets where every statement takes extra latency (pg_sleep); then a staged"
            + " rollout across the N, counting each group's concurrent applies at the targets.")
    static final class ScaleOut implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @CommandLine.Mixin
        ScaleOutBench.Options options;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                return print(new ScaleOutBench(s, options).run());
            }
        }
    }

    @Command(name = "fan-out", mixinStandardHelpOptions = true, description = "One deployment set of 1,000,000"
            + " targets: coordinator heap, fan-out time, database-list API latency.")
    static final class FanOut implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @CommandLine.Mixin
        FanOutBench.Options options;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                return print(List.of(new FanOutBench(s, options).run()));
            }
        }
    }

    @Command(name = "dev-start", mixinStandardHelpOptions = true, description = "flotilla dev from start to ready.")
    static final class DevStart implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @CommandLine.Mixin
        DevStartBench.Options options;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                return print(List.of(new DevStartBench(s, options).run()));
            }
        }
    }

    @Command(name = "cold-start", mixinStandardHelpOptions = true, description = "The first rollout after flotilla"
            + " dev starts (1,000 SQLite tenants, pushed when it is ready) against the same rollout repeated in that"
            + " process until its rate settles.")
    static final class ColdStart implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @CommandLine.Mixin
        ColdStartBench.Options options;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                return print(List.of(new ColdStartBench(s, options).run()));
            }
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true, description = "Every scenario at the target sizes of docs/architecture.md"
            + " (override with the options), then every check in one table.")
    static final class All implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @Option(names = "--sqlite-tenants", defaultValue = "5000", description = "(default: ${DEFAULT-VALUE})")
        int sqliteTenants;

        @Option(names = "--pg-tenants", defaultValue = "1000", description = "(default: ${DEFAULT-VALUE})")
        int pgTenants;

        @Option(names = "--parallel", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})")
        int parallel;

        @CommandLine.Mixin
        StagedBench.Options staged;

        @CommandLine.Mixin
        ScaleOutBench.Options scaleOut;

        @CommandLine.Mixin
        FanOutBench.Options fanOut;

        @CommandLine.Mixin
        DevStartBench.Options devStart;

        @Override
        public Integer call() throws Exception {
            try (Session s = common.session()) {
                Set<String> all = new LinkedHashSet<>(List.of("floor", "executor", "flyway", "flotilla"));
                List<Report> reports = new ArrayList<>();
                long t0 = System.nanoTime();
                guarded(reports, "rollout, SQLite", () -> new RolloutBench(s, new RolloutBench.Config("sqlite",
                        sqliteTenants, parallel, all, true, RolloutBench.WARMUP, 25)).run());
                guarded(reports, "rollout, PostgreSQL", () -> new RolloutBench(s, new RolloutBench.Config("postgres",
                        pgTenants, parallel, all, true, RolloutBench.WARMUP, 25)).run());
                guarded(reports, "rollout, PostgreSQL database-per-tenant", () -> new RolloutBench(s,
                        new RolloutBench.Config("postgres-db", pgTenants, parallel, all, true,
                                RolloutBench.WARMUP_DATABASES, 25)).run());
                guarded(reports, "rollout, MariaDB database-per-tenant", () -> new RolloutBench(s,
                        new RolloutBench.Config("mariadb", pgTenants, parallel, all, true,
                                RolloutBench.WARMUP_DATABASES, 25)).run());
                guarded(reports, "rollout-staged", () -> new StagedBench(s, staged, parallel, 25).run());
                guarded(reports, "scale-out", () -> new ScaleOutBench(s, scaleOut).run());
                guarded(reports, "fan-out", () -> List.of(new FanOutBench(s, fanOut).run()));
                guarded(reports, "dev-start", () -> List.of(new DevStartBench(s, devStart).run()));
                guarded(reports, "cold-start", () -> List.of(new ColdStartBench(s,
                        ColdStartBench.Options.defaults(devStart.jar)).run()));
                Report summary = new Report("Every target, this run", Check.HEADER);
                reports.forEach(r -> r.checks().forEach(c -> summary.row(c.cells())));
                summary.note(String.format(java.util.Locale.ROOT, "Whole run: %.1f min; load average at the end %s.",
                        (System.nanoTime() - t0) / 60e9, Environment.load()));
                summary.print(System.out);
                return 0;
            }
        }
    }

    /** Runs a scenario; a failure is printed as its section and the others still run. */
    static void guarded(List<Report> into, String what, Callable<List<Report>> scenario) {
        List<Report> reports;
        try {
            reports = scenario.call();
        } catch (Exception | Error e) {
            e.printStackTrace();
            Report failed = new Report(what + ": did not complete", new String[] {"error"});
            failed.row(String.valueOf(e).replace('|', '/'));
            failed.check(new Check(what, "did not complete", "completes", false));
            reports = List.of(failed);
        }
        print(reports);
        into.addAll(reports);
    }

    static int print(List<Report> reports) {
        PrintStream out = System.out;
        reports.forEach(r -> r.print(out));
        return 0;
    }

    /** The line every invocation starts with: where and on what it ran. */
    static void header(String[] args) {
        System.out.println("flotilla-bench " + String.join(" ", args));
        System.out.println();
        System.out.println(Environment.describe());
        System.out.flush();
    }
}
