package dev.flotilla.cli.dev;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.worker.TargetResolver;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a command's target in the worker's own copy of the project file: the command names env and
 * target, the project file has the URL with its password and the options the env allows.
 * Re-resolves an env on a miss, so targets added to a {@code data "sql"} group are found. A target
 * the project file does not have is refused: no URL is ever taken from a command.
 */
public final class ConfigTargetResolver implements TargetResolver {
    private final ProjectConfig config;
    private final Map<String, Resolved> targets = new ConcurrentHashMap<>();

    public ConfigTargetResolver(ProjectConfig config) {
        this.config = config;
    }

    @Override
    public Resolved resolve(MigrationCommand c) {
        String id = Topics.targetId(c.getEnv(), c.getTargetName());
        if (!id.equals(c.getTargetId())) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "command " + c.getCommandId() + " names target \""
                    + c.getTargetId() + "\" but env \"" + c.getEnv() + "\" and name \"" + c.getTargetName()
                    + "\"; refused");
        }
        Resolved r = targets.get(id);
        if (r == null) {
            refresh(c.getEnv());
            r = targets.get(id);
        }
        if (r == null) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "target \"" + c.getTargetName() + "\" of env \""
                    + c.getEnv() + "\" is not in this worker's project file, so nothing was connected; give the"
                    + " worker the same atlas.hcl as the coordinator");
        }
        return r;
    }

    @Override
    public Optional<Resolved> cached(MigrationCommand c) {
        String id = Topics.targetId(c.getEnv(), c.getTargetName());
        return id.equals(c.getTargetId()) ? Optional.ofNullable(targets.get(id)) : Optional.empty();
    }

    private synchronized void refresh(String envName) {
        EnvConfig env = config.env(envName).orElse(null);
        if (env == null) {
            return;
        }
        for (Target t : env.targets().resolve()) {
            targets.put(Topics.targetId(envName, t.name()), new Resolved(DatabaseUrl.parse(t.url()), env.baseline(),
                    env.txMode()));
        }
    }
}
