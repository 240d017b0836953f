package dev.flotilla.cli;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.ApplyListener;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code flotilla migrate apply}: runs pending files on one target ({@code --url}, taking what it
 * leaves out from {@code --env}), or asks the Flotilla server to roll them out to every target of an
 * env ({@code --env} alone) and follows it.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Apply pending migration files to one database (--url) or to every target of an env (--env).")
final class MigrateApply implements Callable<Integer> {
    @Mixin
    DirOption dir;

    @Mixin
    TargetOptions target;

    @Parameters(arity = "0..1", paramLabel = "AMOUNT", description = "Apply at most this many pending files.")
    Integer amount;

    @Option(names = "--dry-run", description = "Print the SQL that would run; write nothing.")
    boolean dryRun;

    @Option(names = "--baseline", paramLabel = "VERSION",
            description = "On a database with no revisions, start after this version (default: the --env's"
                    + " migration.baseline).")
    String baseline;

    @Option(names = "--allow-dirty", description = "Allow a first run on a non-empty database without a baseline.")
    boolean allowDirty;

    @Option(names = "--tx-mode", paramLabel = "MODE",
            description = "Transaction mode: file, all or none (default: the --env's migration.tx_mode, else file).")
    String txMode;

    @Option(names = "--exec-order", defaultValue = "linear", paramLabel = "ORDER",
            description = "linear (default), linear-skip or non-linear.")
    String execOrder;

    @Option(names = "--to-version", paramLabel = "VERSION",
            description = "Stop after this version (with --env: on every target of the env).")
    String toVersion;

    @Option(names = "--tag", paramLabel = "TAG", description = "With --env: deploy this tag instead of the env's.")
    String tag;

    @Option(names = "--no-wait", description = "With --env: start the deployment and return at once.")
    boolean noWait;

    @Option(names = "--wait-timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "With --env: how long to follow the deployment (default: ${DEFAULT-VALUE}).")
    String waitTimeout;

    @Option(names = "--poll-interval", defaultValue = "500ms", paramLabel = "DURATION", hidden = true)
    String pollInterval;

    @Spec
    CommandSpec spec;

    /**
     * {@code --url}: one database, with the {@code --env}'s directory, baseline and tx mode when the
     * flags leave them out; {@code --env} alone: a rollout to every target of the env, run by the server.
     */
    @Override
    public Integer call() throws InterruptedException {
        if (!dir.env.given() && target.url == null) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "missing target: pass --url with one database"
                    + " URL, or --env NAME to deploy to every target of an env through the Flotilla server");
        }
        return target.url == null ? fleet() : single();
    }

    private int fleet() throws InterruptedException {
        String env = dir.env.name;
        String single = amount != null ? "AMOUNT" : baseline != null ? "--baseline" : allowDirty ? "--allow-dirty"
                : txMode != null ? "--tx-mode" : dir.dir != null ? "--dir" : null;
        if (single != null) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, single + " applies to one database (--url);"
                    + " with --env " + env + " alone the Flotilla server deploys the env's migration.dir to its"
                    + " targets (choose a tag with --tag), or add --url to apply to one database");
        }
        FleetApply fleet = new FleetApply(dir.registry(), spec.commandLine().getOut(), spec.commandLine().getErr(),
                Durations.parse("--poll-interval", pollInterval), Durations.parse("--wait-timeout", waitTimeout));
        return fleet.run(env, tag, toVersion, dryRun, !noWait, AtlasJson.requested(target.format));
    }

    private int single() {
        if (tag != null || noWait) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, (tag != null ? "--tag" : "--no-wait")
                    + " applies to --env deployments; with --url choose the files with --dir (e.g. --dir"
                    + " atlas://NAME?tag=TAG)");
        }
        if (amount != null && amount <= 0) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "amount " + amount + " must be a positive number");
        }
        DatabaseUrl url = DatabaseUrl.parse(target.url);
        ApplyOptions options = options();
        MigrationDirectory d = dir.openValid();
        PreparedDirectory prepared = PreparedDirectory.of(d, url.dialect());
        PrintWriter out = spec.commandLine().getOut();
        boolean json = AtlasJson.wanted(target.format);
        ApplyPrinter printer = new ApplyPrinter(out);
        ApplyResult r = new MigrationExecutor().apply(url, prepared, options, json ? ApplyListener.NONE : printer);
        if (json) {
            out.println(AtlasJson.write(AtlasJson.apply(r, dir.url())));
        } else {
            printer.summary(r);
        }
        out.flush();
        if (r.error() != null) {
            spec.commandLine().getErr().println("Error: " + r.error());
            return ErrorCode.STATEMENT_FAILED.exitCode();
        }
        return 0;
    }

    /** The flags, with the env's migration.baseline and migration.tx_mode where they leave them out. */
    private ApplyOptions options() {
        EnvConfig env = dir.env.config();
        String mode = txMode != null ? txMode : env != null && env.txMode() != null ? env.txMode() : "file";
        return target.base().toBuilder().amount(amount == null ? 0 : amount).dryRun(dryRun)
                .baseline(baseline != null || env == null ? baseline : env.baseline()).allowDirty(allowDirty)
                .txMode(TargetOptions.txMode(mode)).execOrder(TargetOptions.execOrder(execOrder))
                .toVersion(toVersion).build();
    }
}
