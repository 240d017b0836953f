package dev.flotilla.cli;

import picocli.CommandLine.Command;

/**
 * {@code flotilla cloud}: Atlas' {@code cloud database} and {@code cloud migration} commands, served
 * by the Flotilla server instead of Atlas Cloud.
 */
@Command(name = "cloud", mixinStandardHelpOptions = true,
        description = "Inspect databases and deployments known to the Flotilla server.",
        subcommands = {CloudCommand.Database.class, CloudCommand.Migration.class})
final class CloudCommand {
    /** {@code flotilla cloud database}. */
    @Command(name = "database", mixinStandardHelpOptions = true,
            description = "Deployment targets: their status and current version.",
            subcommands = {CloudDatabaseList.class, CloudDatabaseDescribe.class})
    static final class Database {
    }

    /** {@code flotilla cloud migration}. */
    @Command(name = "migration", mixinStandardHelpOptions = true,
            description = "Deployment events (deployment sets) and their targets.",
            subcommands = {CloudMigrationList.class, CloudMigrationDescribe.class})
    static final class Migration {
    }
}
