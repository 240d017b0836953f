package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code flotilla cloud migration list}: one row per deployment event (deployment set), 20 per page.
 * {@code --name} keeps the events with a target whose name contains the text; it is sent to the
 * server and also applied here, on the targets of each set of the page.
 */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List deployment events.")
final class CloudMigrationList implements Callable<Integer> {
    @Mixin
    CloudOptions cloud;

    @Mixin
    PageOption page;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "RUNNING, PASSED, FAILED, NO_ACTION, DRY_RUN; of staged rollouts PAUSED, HALTED,"
                    + " CANCELLED or SKIPPED.")
    String status;

    @Option(names = "--env-name", paramLabel = "ENV", description = "Only events of this env.")
    String env;

    @Option(names = "--repo", paramLabel = "NAME", description = "Only events of this registry directory.")
    String repo;

    @Option(names = "--name", paramLabel = "TEXT",
            description = "Only events with a database whose name contains TEXT.")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean json = cloud.json();
        ApiClient api = cloud.api();
        JsonNode answer = api.getJson("/api/v1/deployment-sets" + ApiClient.query(
                "status", status == null ? null : status.toUpperCase(Locale.ROOT), "env", env, "directory", repo,
                "name", name, "page", page.number(), "pageSize", PageOption.SIZE));
        List<JsonNode> kept = new ArrayList<>();
        List<String> databases = new ArrayList<>();
        for (JsonNode set : answer.path("items")) {
            String id = Table.text(set, "id");
            JsonNode detail = name != null ? DeploymentSets.full(api, id)
                    : set.path("total").asLong() == 1 ? DeploymentSets.summary(api, id) : set;
            if (name == null || DeploymentSets.anyTargetNamed(detail, name)) {
                kept.add(set);
                databases.add(DeploymentSets.database(detail));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AtlasJson.write(filtered(answer, kept)));
        } else {
            print(out, answer.path("page"), kept, databases);
        }
        out.flush();
        return 0;
    }

    private static JsonNode filtered(JsonNode answer, List<JsonNode> kept) {
        if (kept.size() == answer.path("items").size()) {
            return answer;
        }
        ObjectNode copy = answer.deepCopy();
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        kept.forEach(items::add);
        copy.set("items", items);
        return copy;
    }

    /**
     * Atlas' columns; when a set of the page skipped targets, a last column SKIPPED says how many
     * (a page without skipped targets prints exactly as Atlas does).
     */
    private static void print(PrintWriter out, JsonNode page, List<JsonNode> sets, List<String> databases) {
        boolean skipped = sets.stream().anyMatch(s -> s.path("skipped").asLong() > 0);
        Table t = skipped ? new Table("ID", "REPO", "TYPE", "ENV", "DATABASE", "TARGETS", "VERSION", "STATUS", "SKIPPED")
                : new Table("ID", "REPO", "TYPE", "ENV", "DATABASE", "TARGETS", "VERSION", "STATUS");
        for (int i = 0; i < sets.size(); i++) {
            JsonNode s = sets.get(i);
            String[] row = {DeploymentSets.displayId(s), Table.text(s, "directory"), DeploymentSets.TYPE,
                Table.text(s, "env"), databases.get(i), DeploymentSets.targetsColumn(s), Table.text(s, "version"),
                Table.text(s, "status"), Long.toString(s.path("skipped").asLong())};
            t.row(skipped ? row : java.util.Arrays.copyOf(row, row.length - 1));
        }
        t.print(out);
        Table.footer(out, page, sets.size());
    }
}
