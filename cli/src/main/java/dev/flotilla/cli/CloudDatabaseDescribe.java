package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code flotilla cloud database describe --id ID}: one database as key/value lines, as Atlas shows it. */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Show one database.")
final class CloudDatabaseDescribe implements Callable<Integer> {
    @Mixin
    CloudOptions cloud;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    /** Exactly one way to name the database. */
    static final class Which {
        @Option(names = "--id", required = true, paramLabel = "ID",
                description = "The database: its ID from 'cloud database list', or its target id (env/name).")
        String id;

        @Option(names = "--ext-id", required = true, paramLabel = "UUID",
                description = "The database by its identifier in the database (.atlas_cloud_identifier).")
        String extId;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean json = cloud.json();
        String id = which.id != null ? which.id : which.extId;
        JsonNode db = cloud.api().getJson("/api/v1/databases/" + ApiClient.encode(id));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AtlasJson.write(db));
        } else {
            print(out, db);
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, JsonNode db) {
        Table t = new Table()
                .row("ID", Table.text(db, "id"))
                .row("Name", Table.text(db, "name"))
                .row("Environment", Table.text(db, "env"))
                .row("Status", Table.text(db, "status"))
                .row("Current Version", Table.text(db, "currentVersion"))
                .row("Last Deployment Time", Table.text(db, "lastDeploymentAt"));
        if (Table.text(db, "versionsBehind") != null) {
            t.row("Versions Behind", Table.text(db, "versionsBehind"));
        }
        String error = Table.text(db, "error");
        if (error != null) {
            t.row("Error", error);
        }
        t.print(out);
    }
}
