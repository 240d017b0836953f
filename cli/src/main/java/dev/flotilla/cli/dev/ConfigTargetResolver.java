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
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a command's credentials in the worker's own copy of the project file: the command names
 * env and target, the project file has the URL with its password. Re-resolves an env on a miss,
 * so targets added to a {@code data "sql"} group are found.
 */
public final class ConfigTargetResolver implements TargetResolver {
    private final ProjectConfig config;
    private final Map<String, String> urls = new ConcurrentHashMap<>();

    public ConfigTargetResolver(ProjectConfig config) {
        this.config = config;
    }

    @Override
    public DatabaseUrl resolve(MigrationCommand c) {
        String url = urls.get(c.getTargetId());
        if (url == null) {
            refresh(c.getEnv());
            url = urls.get(c.getTargetId());
        }
        if (url == null) {
            if (!c.getRedactedUrl().contains(DatabaseUrl.MASK)) {
                return DatabaseUrl.parse(c.getRedactedUrl());
            }
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "target \"" + c.getTargetName() + "\" of env \""
                    + c.getEnv() + "\" is not in this worker's project file; give the worker the same atlas.hcl as"
                    + " the coordinator");
        }
        return DatabaseUrl.parse(url);
    }

    private synchronized void refresh(String envName) {
        EnvConfig env = config.env(envName).orElse(null);
        if (env == null) {
            return;
        }
        for (Target t : env.targets().resolve()) {
            urls.put(Topics.targetId(envName, t.name()), t.url());
        }
    }
}
