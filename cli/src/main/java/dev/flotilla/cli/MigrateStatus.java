package dev.flotilla.cli;

import dev.flotilla.coordinator.config.Target;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.exec.StatusReport;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code flotilla migrate status}: where the target stands against the directory. With {@code --env}
 * and no {@code --url}, every target of the env, one after the other, as Atlas runs a command on each
 * instance of a {@code for_each} env: each block (or JSON line) follows a line naming the target when
 * there are several; a target that cannot be read is reported and the others still run.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the migration status of the target database (--url), or of every target of an env (--env).")
final class MigrateStatus implements Callable<Integer> {
    @Mixin
    DirOption dir;

    @Mixin
    TargetOptions target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Target> targets = target.targets(dir.env);
        MigrationDirectory d = dir.openValid();
        PrintWriter out = spec.commandLine().getOut();
        int exit = 0;
        for (Target t : targets) {
            if (targets.size() > 1 && !AtlasJson.wanted(target.format)) {
                out.println(t.name() + " (" + t.redactedUrl() + "):");
            }
            exit = Math.max(exit, status(t, d, out));
        }
        out.flush();
        return exit;
    }

    /** One target's status; a failure is printed, and its exit code returned, when there are others to do. */
    private int status(Target t, MigrationDirectory d, PrintWriter out) {
        try {
            DatabaseUrl url = DatabaseUrl.parse(t.url());
            StatusReport s = new MigrationExecutor().status(url, PreparedDirectory.of(d, url.dialect()), target.base());
            if (AtlasJson.wanted(target.format)) {
                out.println(AtlasJson.write(AtlasJson.status(s, url.dialect().name().toLowerCase(Locale.ROOT),
                        url.redacted(), dir.url(), d.files().size())));
            } else {
                print(out, s);
            }
            return 0;
        } catch (FlotillaException e) {
            if (!dir.env.given() || target.url != null) {
                throw e;
            }
            out.flush();
            spec.commandLine().getErr().println("Error: " + t.name() + ": " + DatabaseUrl.redact(e.getMessage()));
            spec.commandLine().getErr().flush();
            return e.code().exitCode();
        }
    }

    static void print(PrintWriter out, StatusReport s) {
        out.println("Migration Status: " + s.status());
        out.println("  -- Current Version: " + (s.current() == null ? "No migration applied yet" : s.current())
                + (s.partial() ? " (" + s.partialApplied() + " statements applied)" : ""));
        out.println("  -- Next Version:    " + (s.next() == null ? "Already at latest version" : s.next()));
        out.println("  -- Executed Files:  " + s.executed().size() + (s.partial() ? " (last one partially)" : ""));
        out.println("  -- Pending Files:   " + s.pending().size()
                + (s.outOfOrder() > 0 ? " (" + s.outOfOrder() + " out of order)" : ""));
        if (s.error() != null) {
            out.println();
            out.println("Last migration attempt had errors:");
            out.println("  -- SQL:   " + s.errorStmt());
            out.println("  -- ERROR: " + s.error());
        }
    }
}
