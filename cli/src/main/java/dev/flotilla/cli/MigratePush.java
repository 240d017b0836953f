package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.backup.BackupWrite;
import dev.flotilla.backup.Backups;
import dev.flotilla.backup.PushedVersion;
import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.DevReplay;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code flotilla migrate push [--env NAME] NAME[:TAG]}: stores the directory in the registry of the
 * Flotilla server, as Atlas' {@code migrate push} stores it in Atlas Cloud, and prints its URL; and
 * writes it to every backup repository of the env ({@code migration { repo { backup = [...] } }}).
 * When the registry is unreachable but a backup took the push, it warns and succeeds, as Atlas does.
 *
 * <p>The files come from {@code --dir}, else the env's {@code migration.dir} when it is local, else
 * {@code file://migrations}: an env whose {@code migration.dir} is {@code atlas://NAME} deploys from the
 * registry, which is what is pushed to, not from.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Push the migration directory to the Flotilla registry as NAME (tag TAG, else latest), and to"
                + " the --env's backup repositories.")
final class MigratePush implements Callable<Integer> {
    private static final int SHORT_VERSION = 12;

    @Mixin
    DirOption dir;

    @Option(names = "--url", paramLabel = "URL",
            description = "Flotilla server (default: $FLOTILLA_URL, else " + ApiClient.DEFAULT_URL
                    + "); --registry is the same.")
    String url;

    @Option(names = "--dev-url", paramLabel = "URL", description = "An empty database to replay the files on"
            + " before pushing, e.g. sqlite://?mode=memory (default: the --env's dev).")
    String devUrl;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME[:TAG]", description = "Directory name in the"
            + " registry, and tag (default: the --env's migration.repo.name, else its atlas:// directory).")
    String target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RegistryRef ref = RegistryRef.ofArgument(name());
        String server = server();
        String flag = url != null ? "--url" : DirOption.REGISTRY_FLAG;
        MigrationDirectory d = dir.openValid(source(), sourceOrigin(), server, flag);
        replay(d);
        PushedVersion version = PushedVersion.of(ref.name(), ref.tag(), d);
        try (Backups backups = Backups.open(dir.backups())) {
            ApiClient api = ApiClient.connect(server, flag, dir.token);
            ApiClient.Unavailable down = null;
            try {
                print(api, ref, api.postBytes(ref.pushPath(), version.archive(), "application/x-tar"));
            } catch (ApiClient.Unavailable e) {
                if (backups.isEmpty()) {
                    throw e;
                }
                down = e;
            }
            return report(version, down, backups.write(version));
        }
    }

    /** {@code NAME[:TAG]}, else the env's repo name, else its {@code atlas://} directory. */
    private String name() {
        if (target != null) {
            return target;
        }
        EnvConfig e = dir.env.config();
        if (e != null && e.repo().name() != null) {
            return e.repo().name();
        }
        if (e != null && e.registryDirectory().isPresent()) {
            return e.registryDirectory().get();
        }
        throw new FlotillaException(ErrorCode.CONFIG_INVALID, "missing NAME: say which registry directory to push"
                + " to, e.g. 'flotilla migrate push app' or app:v1" + (e == null ? ", or pass --env NAME of an env"
                + " with migration { repo { name = \"app\" } }" : "; " + dir.env.describe() + " names none: add"
                + " migration { repo { name = \"app\" } } to it"));
    }

    /** The local files to push: --dir, else the env's migration.dir unless it is atlas://, else file://migrations. */
    private String source() {
        if (dir.dir != null || !dir.env.given()) {
            return dir.dir != null ? dir.dir : DirOption.DEFAULT_DIR;
        }
        String envDir = dir.env.config().migrationDir();
        return envDir.startsWith(RegistryRef.SCHEME) ? DirOption.DEFAULT_DIR : envDir;
    }

    private String sourceOrigin() {
        if (dir.dir != null || !dir.env.given()) {
            return dir.origin();
        }
        String envDir = dir.env.config().migrationDir();
        return envDir.startsWith(RegistryRef.SCHEME) ? "the default --dir " + DirOption.DEFAULT_DIR + " ("
                + dir.env.describe() + " deploys from " + envDir + ", the registry directory pushed to)"
                : dir.origin();
    }

    private void replay(MigrationDirectory d) {
        String dev = MigrateValidate.devUrl(devUrl, dir.env);
        if (dev != null) {
            DatabaseUrl u = DatabaseUrl.parse(dev);
            DevReplay.replay(u, PreparedDirectory.of(d, u.dialect()));
        }
    }

    private String server() {
        if (url != null && dir.registry != null && !url.equals(dir.registry)) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--url " + url + " and --registry " + dir.registry
                    + " both name the Flotilla server to push to; pass only one of them");
        }
        return url != null ? url : dir.registry;
    }

    private void print(ApiClient api, RegistryRef ref, ApiClient.Reply reply) {
        JsonNode body = reply.body();
        String name = body.path("directory").asText(ref.name());
        String tag = body.path("tag").asText(ref.tag() == null ? "latest" : ref.tag());
        PrintWriter out = spec.commandLine().getOut();
        boolean created = reply.status() == 201;
        if (!created) {
            String version = body.path("versionId").asText("");
            out.println("Directory " + name + ":" + tag + " is already at version "
                    + version.substring(0, Math.min(SHORT_VERSION, version.length())) + "; nothing changed");
        }
        String path = body.hasNonNull("url") ? body.get("url").asText()
                : "/dirs/" + ApiClient.encode(name) + "?tag=" + ApiClient.encode(tag);
        out.println(api.link(path));
        out.flush();
    }

    /**
     * Warns about each backup that failed; with the registry down, names where the push is and
     * succeeds if any backup has it, else fails naming every failure.
     */
    private int report(PushedVersion version, ApiClient.Unavailable registryDown, List<BackupWrite> writes) {
        List<BackupWrite> stored = writes.stream().filter(BackupWrite::ok).toList();
        if (registryDown != null && stored.isEmpty()) {
            StringBuilder b = new StringBuilder("the push of " + version + " reached neither the Flotilla registry"
                    + " nor any backup repository:\n  - registry: " + registryDown.getMessage());
            writes.forEach(w -> b.append("\n  - ").append(w.error()));
            throw new FlotillaException(registryDown.code(), b.toString(), registryDown);
        }
        PrintWriter err = spec.commandLine().getErr();
        writes.stream().filter(w -> !w.ok()).forEach(w -> err.println("Warning: " + w.error()));
        if (registryDown != null) {
            err.println("Warning: the Flotilla registry did not take the push: " + registryDown.getMessage()
                    + "; " + version + " is in " + stored.size() + " of " + writes.size() + " backup repositories."
                    + " Push again once the registry is back: deployments start from the registry");
            PrintWriter out = spec.commandLine().getOut();
            stored.forEach(w -> out.println("Pushed " + version + " to backup " + w.url()));
            out.flush();
        }
        err.flush();
        return 0;
    }
}
