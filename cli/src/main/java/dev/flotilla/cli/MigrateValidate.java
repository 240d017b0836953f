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
            description = "An empty database to replay the files on, e.g. sqlite://?mode=memory (default: the"
                    + " --env's dev).")
    String devUrl;

    @Spec
    CommandSpec spec;

    /** {@code --dev-url}, else the env's {@code dev}; null when neither is set. */
    static String devUrl(String explicit, EnvOption env) {
        if (explicit != null || !env.given()) {
            return explicit;
        }
        return env.config().devUrl();
    }

    @Override
    public Integer call() {
        MigrationDirectory d = dir.openValid();
        String dev = devUrl(devUrl, dir.env);
        if (dev != null) {
            DatabaseUrl url = DatabaseUrl.parse(dev);
            DevReplay.replay(url, PreparedDirectory.of(d, url.dialect()));
        }
        spec.commandLine().getOut().println("Migration directory " + dir.url() + " is valid (" + d.files().size()
                + " files" + (dev != null ? ", replayed on " + DatabaseUrl.redact(dev) : "") + ")");
        return 0;
    }
}
