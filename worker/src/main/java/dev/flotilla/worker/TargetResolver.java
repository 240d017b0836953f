package dev.flotilla.worker;

import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.avro.MigrationCommand;

/**
 * Turns a command's target (env + name, redacted URL) into the URL with credentials. Credentials
 * live in the worker's own configuration, never on a topic.
 */
@FunctionalInterface
public interface TargetResolver {
    DatabaseUrl resolve(MigrationCommand command);

    /** Uses the command's URL as is: right for targets whose URL carries no password (SQLite, trust auth). */
    static TargetResolver fromCommand() {
        return c -> DatabaseUrl.parse(c.getRedactedUrl());
    }
}
