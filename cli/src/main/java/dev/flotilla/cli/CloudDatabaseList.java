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

    /**
     * Atlas' columns; when a database of the page is behind its directory's latest version, a last
     * column BEHIND says by how many versions (a page without one prints exactly as Atlas does).
     */
    static void print(PrintWriter out, JsonNode answer) {
        JsonNode items = answer.path("items");
        boolean behind = false;
        for (JsonNode db : items) {
            behind |= db.path("versionsBehind").asLong() > 0;
        }
        Table t = behind ? new Table("ID", "REPO", "NAME", "ENV", "STATUS", "CURRENT VERSION", "BEHIND")
                : new Table("ID", "REPO", "NAME", "ENV", "STATUS", "CURRENT VERSION");
        for (JsonNode db : items) {
            String[] row = {Table.text(db, "id"), Table.text(db, "directory"), Table.text(db, "name"),
                Table.text(db, "env"), Table.text(db, "status"), Table.text(db, "currentVersion"),
                Table.text(db, "versionsBehind")};
            t.row(behind ? row : java.util.Arrays.copyOf(row, row.length - 1));
        }
        t.print(out);
        Table.footer(out, answer.path("page"), items.size());
    }
}
