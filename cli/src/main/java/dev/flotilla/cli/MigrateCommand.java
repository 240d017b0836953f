package dev.flotilla.cli;

import picocli.CommandLine.Command;

/** {@code flotilla migrate}: the Atlas-compatible local commands. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Manage and apply an Atlas migration directory.",
        subcommands = {MigrateNew.class, MigrateHash.class, MigrateValidate.class, MigrateApply.class,
            MigrateStatus.class, MigratePush.class})
final class MigrateCommand {
}
