package dev.flotilla.cli;

import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.DevReplay;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code flotilla migrate validate}: checks atlas.sum and, with a dev database, the SQL itself. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check atlas.sum and, given --dev-url, replay every file on the dev database.")
final class MigrateValidate implements Callable<Integer> {
    @Mixin
    DirOption dir;

    @Option(names = "--dev-url", paramLabel = "URL",
            description = "An empty database to replay the files on, e.g. sqlite://?mode=memory")
    String devUrl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        MigrationDirectory d = dir.openValid();
        if (devUrl != null) {
            DatabaseUrl dev = DatabaseUrl.parse(devUrl);
            DevReplay.replay(dev, PreparedDirectory.of(d, dev.dialect()));
        }
        spec.commandLine().getOut().println("Migration directory " + dir.dir + " is valid (" + d.files().size()
                + " files" + (devUrl != null ? ", replayed on " + DatabaseUrl.redact(devUrl) : "") + ")");
        return 0;
    }
}
