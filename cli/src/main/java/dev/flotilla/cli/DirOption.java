package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --dir} option every migrate command takes: a local {@code file://} directory, or
 * {@code atlas://NAME[?tag=T]} read from the registry of the Flotilla server named by
 * {@code --registry} (else {@code $FLOTILLA_URL}, else {@code http://localhost:8080}).
 */
final class DirOption {
    static final String REGISTRY_FLAG = "--registry";

    @Option(names = "--dir", defaultValue = "file://migrations", paramLabel = "URL",
            description = "Migration directory URL: file://path or atlas://NAME[?tag=TAG] (default: ${DEFAULT-VALUE}).")
    String dir;

    @Option(names = REGISTRY_FLAG, paramLabel = "URL",
            description = "Flotilla server for atlas:// directories, pushes and --env deployments"
                    + " (default: $FLOTILLA_URL, else " + ApiClient.DEFAULT_URL + ").")
    String registry;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token (default: $FLOTILLA_TOKEN, else the one 'flotilla dev' keeps in .flotilla/admin.token).")
    String token;

    /** Whether {@code --dir} names a directory in the registry. */
    boolean remote() {
        return dir.startsWith(RegistryRef.SCHEME);
    }

    /** The local path the URL names; {@code atlas://} directories have none. */
    Path path() {
        String p = dir;
        if (remote()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--dir " + dir + " names a directory in the"
                    + " Flotilla registry, which this command cannot change; it works on a local directory only:"
                    + " pass --dir file://path/to/migrations");
        }
        if (p.startsWith("file://")) {
            p = p.substring("file://".length());
        } else if (p.contains("://")) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "unsupported --dir \"" + dir
                    + "\": use file://path/to/migrations or atlas://NAME?tag=TAG");
        }
        int q = p.indexOf('?');
        return Path.of(q >= 0 ? p.substring(0, q) : p);
    }

    /** Opens the local directory; it must exist. */
    MigrationDirectory open() {
        Path p = path();
        if (!Files.isDirectory(p)) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "migration directory " + p.toAbsolutePath()
                    + " (from --dir " + dir + ") does not exist; create it with 'flotilla migrate new --dir "
                    + dir + "'");
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
        MigrationDirectory d = remote() ? download(server, flag) : open();
        d.validate();
        return d;
    }

    /** The client for {@code --registry} (else {@code $FLOTILLA_URL}, else the default). */
    ApiClient registry() {
        return ApiClient.connect(registry, REGISTRY_FLAG, token);
    }

    private MigrationDirectory download(String server, String flag) {
        RegistryRef ref = RegistryRef.ofUrl(dir);
        ApiClient api = server != null ? ApiClient.connect(server, flag, token) : registry();
        return MigrationDirectory.fromArchive(api.getBytes(ref.archivePath()));
    }
}
