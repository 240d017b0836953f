package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.TxMode;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.ExecOrder;
import picocli.CommandLine.Option;

import java.time.Duration;

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
                    + " --url sqlite://tenant_1.db or --url postgres://user:pass@host:5432/db?search_path=tenant_1");
        }
        return url;
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
