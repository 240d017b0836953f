package dev.flotilla.cli.dev;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code flotilla registry|coordinator|worker|aggregator|notifier}: one service alone, against a given Kafka and PostgreSQL. */
public abstract class ServiceCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Spec
    CommandSpec spec;

    abstract DevServer.Role role();

    @Override
    public Integer call() throws Exception {
        String name = role().name().toLowerCase(Locale.ROOT);
        List<String> missing = new ArrayList<>();
        if (options.kafka == null) {
            missing.add("--kafka");
        }
        if (options.jdbcUrl == null && role() != DevServer.Role.WORKER) {
            missing.add("--jdbc-url");
        }
        if (role() == DevServer.Role.WORKER && (options.registryUrl == null || options.registryUrl.isBlank())) {
            missing.add("--registry-url (or FLOTILLA_REGISTRY_URL), where it fetches directory versions");
        }
        if (role() == DevServer.Role.WORKER && System.getenv("FLOTILLA_WORKER_TOKEN") == null) {
            missing.add("FLOTILLA_WORKER_TOKEN, a token with scope deploy for the registry (flotilla token create"
                    + " --name worker --scope deploy)");
        }
        if (!missing.isEmpty()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "flotilla " + name + " needs " + String.join(", ",
                    missing) + "; 'flotilla dev' runs everything with embedded ones");
        }
        return options.run(spec.commandLine().getOut(), List.of(role()), name, false);
    }

    /** The registry service. */
    @Command(name = "registry", mixinStandardHelpOptions = true, description = "Run the registry alone: it stores pushed migration directories (versions and tags) and announces each push.")
    public static final class Registry extends ServiceCommand {
        @Override
        DevServer.Role role() {
            return DevServer.Role.REGISTRY;
        }
    }

    /** The coordinator service. */
    @Command(name = "coordinator", mixinStandardHelpOptions = true, description = "Run the coordinator alone.")
    public static final class Coordinator extends ServiceCommand {
        @Override
        DevServer.Role role() {
            return DevServer.Role.COORDINATOR;
        }
    }

    /** The worker service. */
    @Command(name = "worker", mixinStandardHelpOptions = true, description = "Run a worker alone.")
    public static final class Worker extends ServiceCommand {
        @Override
        DevServer.Role role() {
            return DevServer.Role.WORKER;
        }
    }

    /** The aggregator service. */
    @Command(name = "aggregator", mixinStandardHelpOptions = true, description = "Run the aggregator alone.")
    public static final class Aggregator extends ServiceCommand {
        @Override
        DevServer.Role role() {
            return DevServer.Role.AGGREGATOR;
        }
    }

    /** The notifier service: webhooks. */
    @Command(name = "notifier", mixinStandardHelpOptions = true, description = "Run the notifier alone: it delivers"
            + " webhooks for rollouts, failed targets and envs that reached a version.")
    public static final class Notifier extends ServiceCommand {
        @Override
        DevServer.Role role() {
            return DevServer.Role.NOTIFIER;
        }
    }
}
