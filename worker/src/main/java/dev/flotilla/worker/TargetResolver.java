package dev.flotilla.worker;

import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.avro.MigrationCommand;

import java.util.Optional;

/**
 * Finds the target a command names in the worker's own configuration: its URL with credentials,
 * and the options its env allows. Nothing of it is taken from the command, which anyone who can
 * write to the commands topic could have forged.
 */
@FunctionalInterface
public interface TargetResolver {
    /**
     * The target {@code command} names by env and target name.
     *
     * @throws dev.flotilla.migrate.FlotillaException CONFIG_INVALID when the worker's configuration has
     *     no such target
     */
    Resolved resolve(MigrationCommand command);

    /**
     * The target, if it is known without blocking (resolving may query a {@code data "sql"}
     * database, which must not happen on an event loop); empty to have {@link #resolve} called on a
     * worker thread.
     */
    default Optional<Resolved> cached(MigrationCommand command) {
        return Optional.empty();
    }

    /**
     * A target as the worker's configuration has it.
     *
     * @param url where it is, with its credentials
     * @param baseline the baseline version its env allows a command to ask for; null for none
     * @param txMode the transaction mode its env sets; null for the directory's own
     */
    record Resolved(DatabaseUrl url, String baseline, String txMode) {
    }
}
