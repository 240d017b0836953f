package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code flotilla cloud database list}: one row per deployment target, 20 per page, as Atlas lists them. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List databases and their status.")
final class CloudDatabaseList implements Callable<Integer> {
    @Mixin
    CloudOptions cloud;

    @Mixin
    PageOption page;

    @Option(names = "--env-name", paramLabel = "ENV", description = "Only databases of this env.")
    String env;

    @Option(names = "--status", paramLabel = "STATUS", description = "SYNCED, PENDING or FAILED.")
    String status;

    @Option(names = "--name", paramLabel = "TEXT", description = "Only databases whose name contains TEXT.")
    String name;

    @Option(names = "--repo", paramLabel = "NAME", description = "Only databases of this registry directory.")
    String repo;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean json = cloud.json();
        JsonNode answer = cloud.api().getJson("/api/v1/databases" + ApiClient.query(
                "status", status == null ? null : status.toUpperCase(Locale.ROOT), "env", env, "directory", repo,
                "name", name, "page", page.number(), "pageSize", PageOption.SIZE));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AtlasJson.write(answer));
        } else {
            print(out, answer);
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, JsonNode answer) {
        Table t = new Table("ID", "REPO", "NAME", "ENV", "STATUS", "CURRENT VERSION");
        JsonNode items = answer.path("items");
        for (JsonNode db : items) {
            t.row(Table.text(db, "id"), Table.text(db, "directory"), Table.text(db, "name"), Table.text(db, "env"),
                    Table.text(db, "status"), Table.text(db, "currentVersion"));
        }
        t.print(out);
        Table.footer(out, answer.path("page"), items.size());
    }
}
