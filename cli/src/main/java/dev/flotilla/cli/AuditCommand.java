package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code flotilla audit list}: who pushed, deployed, steered a rollout or changed a token, newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Read the audit trail (admin tokens).",
        subcommands = AuditCommand.ListEvents.class)
final class AuditCommand {
    /** {@code flotilla audit list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List audit events, newest first.")
    static final class ListEvents implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Option(names = "--action", description = "Only this action, e.g. directory.push, deployment.create.")
        String action;

        @Option(names = "--actor", description = "Only requests made with the token of this name.")
        String actor;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = cloud.api().getJson("/api/v1/audit" + ApiClient.query("action", action, "actor", actor,
                    "limit", Integer.toString(limit)));
            PrintWriter out = spec.commandLine().getOut();
            if (cloud.json()) {
                out.println(AtlasJson.write(answer));
            } else {
                Table t = new Table("SEQ", "TIME", "ACTOR", "ACTION", "OBJECT", "OUTCOME", "SOURCE", "DETAIL");
                for (JsonNode e : answer.path("items")) {
                    t.row(Table.text(e, "seq"), Table.text(e, "at"), Table.text(e, "actor"), Table.text(e, "action"),
                            Table.text(e, "object"), Table.text(e, "outcome"), Table.text(e, "source"),
                            Table.text(e, "detail"));
                }
                t.print(out);
            }
            out.flush();
            return 0;
        }
    }
}
