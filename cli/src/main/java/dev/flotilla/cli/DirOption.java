package dev.flotilla.cli;

import dev.flotilla.backup.BackupCopy;
import dev.flotilla.backup.Backups;
import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code --dir} option every migrate command takes: a local {@code file://} directory, or
 * {@code atlas://NAME[?tag=T]} read from the registry of the Flotilla server named by
 * {@code --registry} (else {@code $FLOTILLA_URL}, else {@code http://localhost:8080}). Without
 * {@code --dir}, the {@code --env}'s {@code migration.dir} is used, else Atlas' default
 * {@code file://migrations}. When the registry is unreachable, an {@code atlas://} directory is read
 * from the env's backup repositories ({@code migration { repo { backup = [...] } }}), verified, with
 * a warning.
 */
final class DirOption {
    static final String REGISTRY_FLAG = "--registry";
    static final String DEFAULT_DIR = "file://migrations";

    @Option(names = "--dir", paramLabel = "URL", description = "Migration directory URL: file://path or"
            + " atlas://NAME[?tag=TAG] (default: the --env's migration.dir, else " + DEFAULT_DIR + ").")
    String dir;

    @Option(names = REGISTRY_FLAG, paramLabel = "URL",
            description = "Flotilla server for atlas:// directories, pushes and --env deployments"
                    + " (default: $FLOTILLA_URL, else " + ApiClient.DEFAULT_URL + ").")
    String registry;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token (default: $FLOTILLA_TOKEN, else the one 'flotilla dev' keeps in .flotilla/admin.token).")
    String token;

    @Mixin
    EnvOption env = new EnvOption();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The directory URL: {@code --dir}, else the env's {@code migration.dir}, else {@code file://migrations}. */
    String url() {
        if (dir != null) {
            return dir;
        }
        EnvConfig e = env.config();
        return e != null ? e.migrationDir() : DEFAULT_DIR;
    }

    /** Where {@link #url()} comes from, for messages: {@code --dir X} or {@code migration.dir X of env …}. */
    String origin() {
        if (dir != null) {
            return "--dir " + dir;
        }
        return env.given() ? "migration.dir " + url() + " of " + env.describe() : "the default --dir " + DEFAULT_DIR;
    }

    /** Whether the directory is one in the registry. */
    boolean remote() {
        return url().startsWith(RegistryRef.SCHEME);
    }

    /** The local path the URL names; {@code atlas://} directories have none. */
    Path path() {
        String p = url();
        if (remote()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, origin() + " names a directory in the Flotilla"
                    + " registry, which this command cannot change; it works on a local directory only:"
                    + " pass --dir file://path/to/migrations");
        }
        return localPath(p, origin());
    }

    static Path localPath(String url, String origin) {
        String p = url;
        if (p.startsWith("file://")) {
            p = p.substring("file://".length());
        } else if (p.contains("://")) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "unsupported directory URL \"" + url + "\" ("
                    + origin + "): use file://path/to/migrations or atlas://NAME?tag=TAG");
        }
        int q = p.indexOf('?');
        return Path.of(q >= 0 ? p.substring(0, q) : p);
    }

    /** Opens the local directory; it must exist. */
    MigrationDirectory open() {
        return open(path(), origin());
    }

    private static MigrationDirectory open(Path p, String origin) {
        if (!Files.isDirectory(p)) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "migration directory " + p.toAbsolutePath()
                    + " (from " + origin + ") does not exist; create it with 'flotilla migrate new --dir file://"
                    + p + "'");
        }
        return MigrationDirectory.open(p);
    }

    /** Opens the local or registry directory and checks atlas.sum, as every Atlas command does before it runs. */
    MigrationDirectory openValid() {
        return openValid(null, REGISTRY_FLAG);
    }

    /**
     * Like {@link #openValid()}, reading {@code atlas://} directories from {@code server} when it is
     * not null (the command's own server option, named {@code flag}).
     */
    MigrationDirectory openValid(String server, String flag) {
        return openValid(url(), origin(), server, flag);
    }

    /** Opens and checks the directory at {@code url}, named {@code origin} in messages. */
    MigrationDirectory openValid(String url, String origin, String server, String flag) {
        MigrationDirectory d = url.startsWith(RegistryRef.SCHEME) ? download(url, server, flag)
                : open(localPath(url, origin), origin);
        d.validate();
        return d;
    }

    /** The client for {@code --registry} (else {@code $FLOTILLA_URL}, else the default). */
    ApiClient registry() {
        return ApiClient.connect(registry, REGISTRY_FLAG, token);
    }

    /** The env's backup URLs; empty without {@code --env}. */
    List<String> backups() {
        return env.given() ? env.config().backups() : List.of();
    }

    private MigrationDirectory download(String url, String server, String flag) {
        RegistryRef ref = RegistryRef.ofUrl(url);
        ApiClient api = server != null ? ApiClient.connect(server, flag, token) : registry();
        try {
            return MigrationDirectory.fromArchive(api.getBytes(ref.archivePath()));
        } catch (ApiClient.Unavailable e) {
            if (backups().isEmpty()) {
                throw e;
            }
            return fromBackups(url, ref, e);
        }
    }

    private MigrationDirectory fromBackups(String url, RegistryRef ref, ApiClient.Unavailable registryError) {
        BackupCopy copy;
        try (Backups backups = Backups.open(backups())) {
            copy = backups.readTag(ref.name(), ref.tag());
        } catch (FlotillaException e) {
            throw new FlotillaException(registryError.code(), registryError.getMessage() + "; the backups of "
                    + env.describe() + " could not stand in: " + e.getMessage(), e);
        }
        PrintWriter err = err();
        err.println("Warning: " + registryError.getMessage() + "; read " + url + " (version "
                + copy.versionId().substring(0, 12) + ") from backup " + copy.url());
        copy.skipped().forEach(s -> err.println("Warning: " + s));
        err.flush();
        return copy.directory();
    }

    private PrintWriter err() {
        return command != null ? command.commandLine().getErr() : new PrintWriter(System.err, true);
    }
}
