package dev.flotilla.cli;

import dev.flotilla.migrate.exec.Version;
import picocli.CommandLine.Command;

/** {@code flotilla}: the root command. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, versionProvider = FlotillaCommand.VersionProvider.class,
        description = "Roll Atlas-style schema migrations out to fleets of tenant databases.",
        subcommands = {MigrateCommand.class, CloudCommand.class, Verify.class, TokenCommand.class, AuditCommand.class, RolloutCommand.class, WebhookCommand.class, dev.flotilla.cli.dev.DevCommand.class, dev.flotilla.cli.dev.KafkaCommand.class,
            dev.flotilla.cli.dev.ServiceCommand.Registry.class, dev.flotilla.cli.dev.ServiceCommand.Coordinator.class,
            dev.flotilla.cli.dev.ServiceCommand.Worker.class, dev.flotilla.cli.dev.ServiceCommand.Aggregator.class,
            dev.flotilla.cli.dev.ServiceCommand.Notifier.class})
final class FlotillaCommand {
    /** Prints the product version. */
    static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"flotilla version v" + Version.VERSION};
        }
    }
}
