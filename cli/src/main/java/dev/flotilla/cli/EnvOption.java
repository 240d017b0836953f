package dev.flotilla.cli;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code --env NAME} with {@code --config} and {@code --var}, as Atlas takes them: the env of the
 * project file supplies the values the command's flags leave out ({@code migration.dir} for
 * {@code --dir}, {@code url} for {@code --url}, {@code dev} for {@code --dev-url}). The file is read
 * only when a value is needed, so {@code migrate apply --env} (a rollout the server runs from its own
 * project file) works without one.
 */
final class EnvOption {
    static final String DEFAULT_CONFIG = "atlas.hcl";

    @Option(names = "--env", paramLabel = "NAME",
            description = "Env of the project file that supplies --dir (migration.dir), --url (url, one per"
                    + " for_each target) and --dev-url (dev) when they are not given.")
    String name;

    @Option(names = "--config", defaultValue = DEFAULT_CONFIG, paramLabel = "FILE",
            description = "Project file for --env, a path or file://path (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "Project file variable; repeat for more.")
    Map<String, String> vars = Map.of();

    private EnvConfig loaded;

    /** Whether {@code --env} was given. */
    boolean given() {
        return name != null;
    }

    /** The env, read from the project file on first use; null without {@code --env}. */
    EnvConfig config() {
        if (name == null) {
            return null;
        }
        if (loaded == null) {
            Path file = configPath();
            if (!Files.exists(file)) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--env " + name + " is read from the project"
                        + " file " + file.toAbsolutePath() + ", which does not exist; pass --config path/to/atlas.hcl"
                        + " or run the command in the directory that holds atlas.hcl");
            }
            loaded = ProjectConfig.load(file, vars == null ? Map.of() : vars).requireEnv(name);
        }
        return loaded;
    }

    private Path configPath() {
        String c = config == null ? DEFAULT_CONFIG : config;
        return Path.of(c.startsWith("file://") ? c.substring("file://".length()) : c);
    }

    /** {@code env "prod"}, for messages. */
    String describe() {
        return "env \"" + name + "\" of " + (config == null ? DEFAULT_CONFIG : config);
    }
}
