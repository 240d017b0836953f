package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code flotilla cloud migration describe --id ID}: one deployment event as key/value lines, as
 * Atlas shows it, followed by each failed target with its error. A staged rollout adds what Atlas
 * has no line for, only when there is something to say: the targets skipped, the rollout's state
 * and reason when it overrides the status (paused, halted, cancelled), the groups stopped, and
 * each skipped target with why.
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
        if (set.path("skipped").asLong() > 0) {
            t.row("Skipped", set.path("skipped").asLong() + "/" + set.path("total").asLong());
        }
        if (Table.text(set, "reason") != null) {
            String actor = Table.text(set, "actor");
            t.row("Reason", Table.text(set, "reason") + (actor == null ? "" : " (" + actor + ")"));
        }
        if (set.path("stoppedGroups").size() > 0) {
            List<String> groups = new ArrayList<>();
            set.path("stoppedGroups").forEach(g -> groups.add(g.asText()));
            t.row("Stopped Groups", String.join(", ", groups));
        }
        if (Table.text(set, "error") != null) {
            t.row("Error", Table.text(set, "error"));
        }
        for (JsonNode target : set.path("targets")) {
            if ("FAILED".equals(Table.text(target, "status"))) {
                t.row(DeploymentSets.targetName(target), DeploymentSets.errorLine(target));
            } else if ("SKIPPED".equals(Table.text(target, "status"))) {
                t.row(DeploymentSets.targetName(target), "Skipped: " + (Table.text(target, "error") != null
                        ? Table.text(target, "error") : Table.text(target, "errorCode")));
            }
        }
        t.print(out);
    }
}
