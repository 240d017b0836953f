package dev.flotilla.cli;

import dev.flotilla.coordinator.config.Target;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.TxMode;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.ExecOrder;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;

/** Options shared by apply and status: the target and how to reach its revisions table. */
final class TargetOptions {
    @Option(names = {"-u", "--url"}, paramLabel = "URL",
            description = "Target database URL, e.g. sqlite://tenant_1.db, postgres://user:pass@host:5432/db?search_path=s")
    String url;

    @Option(names = "--revisions-schema", paramLabel = "NAME",
            description = "Schema of the atlas_schema_revisions table (default: the URL's schema).")
    String revisionsSchema;

    @Option(names = "--lock-timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "How long to wait for the target's migration lock (default: ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Output format: json (or '{{ json . }}').")
    String format;

    /** The target database URL; {@code --url} is required unless the command offers another way. */
    String requireUrl() {
        if (url == null || url.isBlank()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "missing --url: name the target database, e.g."
                    + " --url sqlite://tenant_1.db or --url postgres://user:pass@host:5432/db?search_path=tenant_1,"
                    + " or pass --env NAME for the targets of an env of the project file");
        }
        return url;
    }

    /**
     * The databases to work on: {@code --url}, else every target of the env (its {@code url}, or one
     * per {@code for_each} element, data sources queried now).
     *
     * @throws FlotillaException naming the env and the missing attribute when it has no url
     */
    List<Target> targets(EnvOption env) {
        if ((url == null || url.isBlank()) && env.given()) {
            try {
                return env.config().targets().resolve();
            } catch (FlotillaException e) {
                throw new FlotillaException(e.code(), e.getMessage() + "; or pass --url", e);
            }
        }
        String u = requireUrl();
        return List.of(new Target(DatabaseUrl.redact(u), u));
    }

    ApplyOptions base() {
        return ApplyOptions.builder().revisionsSchema(revisionsSchema).lockTimeout(duration(lockTimeout)).build();
    }

    static Duration duration(String s) {
        return Durations.parse("--lock-timeout", s);
    }

    static TxMode txMode(String s) {
        return TxMode.parse(s);
    }

    static ExecOrder execOrder(String s) {
        return ExecOrder.parse(s);
    }
}
