package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code flotilla rollout pause|resume|cancel|retry|skip --set ID}: steers a running deployment set.
 * Each needs a token with scope deploy for the set's env and is recorded in the audit trail with
 * the token's name.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Pause, resume, cancel, retry or skip targets of a deployment set's rollout.",
        subcommands = {RolloutCommand.Pause.class, RolloutCommand.Resume.class, RolloutCommand.Cancel.class,
            RolloutCommand.Retry.class, RolloutCommand.Skip.class})
final class RolloutCommand {
    private RolloutCommand() {
    }

    /** What every action takes: the server, the set, and how to print the answer. */
    abstract static class Action implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Option(names = "--set", required = true, paramLabel = "ID", description = "The deployment set's id.")
        String set;

        @Spec
        CommandSpec spec;

        /** The action's route name. */
        abstract String verb();

        /** The request body. */
        Map<String, Object> body() {
            return new LinkedHashMap<>();
        }

        @Override
        public Integer call() {
            String id = set.strip();
            if (!id.matches("[0-9A-Za-z-]{1,64}")) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--set \"" + set + "\" is not a deployment set"
                        + " id; list sets with 'flotilla cloud migration list'");
            }
            JsonNode answer = cloud.api().postJson("/api/v1/deployment-sets/" + id + "/" + verb(), body());
            PrintWriter out = spec.commandLine().getOut();
            if (cloud.json()) {
                out.println(AtlasJson.write(answer));
            } else {
                String reason = Table.text(answer, "reason");
                out.println("Deployment set " + id + " is " + Table.text(answer, "state")
                        + (reason == null ? "" : ": " + reason));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code rollout pause}. */
    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Start no new target; running ones finish. Resume with 'rollout resume'.")
    static final class Pause extends Action {
        @Override
        String verb() {
            return "pause";
        }
    }

    /** {@code rollout resume}. */
    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Go on with a paused rollout (paused by an operator or by its halt threshold).")
    static final class Resume extends Action {
        @Override
        String verb() {
            return "resume";
        }
    }

    /** {@code rollout cancel}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Stop the rollout for good: targets not started are skipped; running ones finish.")
    static final class Cancel extends Action {
        @Override
        String verb() {
            return "cancel";
        }
    }

    /** {@code rollout retry}. */
    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Run a failed or skipped target again (--target), or every failed target (--failed).")
    static final class Retry extends Action {
        @Option(names = "--target", paramLabel = "NAME", description = "The target to run again.")
        String target;

        @Option(names = "--failed", description = "Every failed target of the set.")
        boolean failed;

        @Override
        String verb() {
            return "retry";
        }

        @Override
        Map<String, Object> body() {
            if ((target == null) == !failed) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "retry needs either --target NAME (one target)"
                        + " or --failed (every failed target of the set)");
            }
            Map<String, Object> body = super.body();
            if (target != null) {
                body.put("target", target);
            } else {
                body.put("failed", true);
            }
            return body;
        }
    }

    /** {@code rollout skip}. */
    @Command(name = "skip", mixinStandardHelpOptions = true,
            description = "Mark a target skipped (not synced) so the rollout goes on without it.")
    static final class Skip extends Action {
        @Option(names = "--target", required = true, paramLabel = "NAME", description = "The target to skip.")
        String target;

        @Option(names = "--reason", required = true, paramLabel = "TEXT",
                description = "Why; shown on the target and in the audit trail.")
        String reason;

        @Override
        String verb() {
            return "skip";
        }

        @Override
        Map<String, Object> body() {
            Map<String, Object> body = super.body();
            body.put("target", target);
            body.put("reason", reason);
            return body;
        }
    }
}
