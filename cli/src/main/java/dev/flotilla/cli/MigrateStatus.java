package dev.flotilla.cli;

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
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code flotilla migrate status}: where the target stands against the directory. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the migration status of the target database.")
final class MigrateStatus implements Callable<Integer> {
    @Mixin
    DirOption dir;

    @Mixin
    TargetOptions target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DatabaseUrl url = DatabaseUrl.parse(target.requireUrl());
        MigrationDirectory d = dir.openValid();
        StatusReport s = new MigrationExecutor().status(url, PreparedDirectory.of(d, url.dialect()), target.base());
        PrintWriter out = spec.commandLine().getOut();
        if (AtlasJson.wanted(target.format)) {
            out.println(AtlasJson.write(AtlasJson.status(s, url.dialect().name().toLowerCase(Locale.ROOT), url.redacted(),
                    dir.dir, d.files().size())));
        } else {
            print(out, s);
        }
        out.flush();
        return 0;
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
