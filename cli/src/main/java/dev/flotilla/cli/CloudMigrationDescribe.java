package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code flotilla cloud migration describe --id ID}: one deployment event as key/value lines, as
 * Atlas shows it, followed by each failed target with its error.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Show one deployment event.")
final class CloudMigrationDescribe implements Callable<Integer> {
    @Mixin
    CloudOptions cloud;

    @Option(names = "--id", required = true, paramLabel = "ID",
            description = "The event: its ID from 'cloud migration list', or the deployment set UUID.")
    String id;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean json = cloud.json();
        JsonNode set = DeploymentSets.full(cloud.api(), id);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AtlasJson.write(set));
        } else {
            print(out, set);
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, JsonNode set) {
        Table t = new Table()
                .row("ID", DeploymentSets.displayId(set))
                .row("Repository", Table.text(set, "directory"))
                .row("Type", DeploymentSets.TYPE)
                .row("Database", DeploymentSets.database(set))
                .row("Version", Table.text(set, "version"))
                .row("Status", Table.text(set, "status"))
                .row("Completed At", Table.text(set, "completedAt"))
                .row("Targets", set.path("succeeded").asLong() + "/" + set.path("total").asLong() + " succeeded");
        if (Table.text(set, "error") != null) {
            t.row("Error", Table.text(set, "error"));
        }
        for (JsonNode target : set.path("targets")) {
            if ("FAILED".equals(Table.text(target, "status"))) {
                t.row(DeploymentSets.targetName(target), DeploymentSets.errorLine(target));
            }
        }
        t.print(out);
    }
}
