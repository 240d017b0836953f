package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.Revision;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code flotilla verify --env NAME}: compares the status views with every target's own
 * {@code atlas_schema_revisions} (the source of truth) and lists each disagreement.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Compare the status views with each target's atlas_schema_revisions and report every mismatch.")
final class Verify implements Callable<Integer> {
    @Mixin
    CloudOptions cloud;

    @Option(names = "--env", required = true, paramLabel = "NAME", description = "The env to check.")
    String env;

    @Option(names = "--config", defaultValue = "atlas.hcl", paramLabel = "FILE",
            description = "Project file with the targets' URLs (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "Project file variable.")
    Map<String, String> vars = Map.of();

    @Option(names = "--parallel", defaultValue = "16", description = "Targets read at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Spec
    CommandSpec spec;

    /**
     * One disagreement.
     *
     * @param target target name
     * @param kind MISSING_IN_VIEW, EXTRA_IN_VIEW, VERSION, STATUS or UNREADABLE
     * @param view what the view says
     * @param database what the target's revisions say
     */
    record Mismatch(String target, String kind, String view, String database) {
    }

    @Override
    public Integer call() throws Exception {
        EnvConfig e = ProjectConfig.load(config, vars).requireEnv(env);
        Map<String, JsonNode> views = views(cloud.api());
        List<Target> targets = e.targets().resolve();
        List<Mismatch> found = compare(targets, views);
        PrintWriter out = spec.commandLine().getOut();
        if (cloud.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("env", env);
            j.put("checked", targets.size());
            j.put("mismatches", found);
            out.println(AtlasJson.write(j));
        } else {
            print(out, targets.size(), found);
        }
        out.flush();
        return found.isEmpty() ? 0 : 1;
    }

    private Map<String, JsonNode> views(ApiClient api) {
        Map<String, JsonNode> out = new HashMap<>();
        for (int page = 1; ; page++) {
            JsonNode a = api.getJson("/api/v1/databases" + ApiClient.query("env", env, "pageSize", "500",
                    "page", Integer.toString(page)));
            a.path("items").forEach(d -> out.put(d.path("name").asText(), d));
            if (page * 500L >= a.path("page").path("total").asLong()) {
                return out;
            }
        }
    }

    private List<Mismatch> compare(List<Target> targets, Map<String, JsonNode> views) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallel), r -> {
            Thread t = new Thread(r, "flotilla-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<Mismatch>>> futures = new ArrayList<>();
            for (Target t : targets) {
                JsonNode view = views.remove(t.name());
                futures.add(pool.submit(() -> check(t, view)));
            }
            List<Mismatch> out = new ArrayList<>();
            for (Future<List<Mismatch>> f : futures) {
                out.addAll(f.get());
            }
            views.keySet().stream().sorted().forEach(n -> out.add(new Mismatch(n, "EXTRA_IN_VIEW", "present",
                    "not a target of env " + env)));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static List<Mismatch> check(Target t, JsonNode view) {
        List<Revision> revs;
        try {
            revs = new MigrationExecutor().revisions(DatabaseUrl.parse(t.url()), ApplyOptions.defaults());
        } catch (RuntimeException e) {
            return List.of(new Mismatch(t.name(), "UNREADABLE", view == null ? "-" : view.path("status").asText(),
                    DatabaseUrl.redact(e.getMessage())));
        }
        String current = null;
        boolean failed = false;
        for (Revision r : revs) {
            if (Revision.CLOUD_IDENTIFIER.equals(r.version())) {
                continue;
            }
            if (r.partial()) {
                failed |= r.error() != null;
            } else {
                current = r.version();
            }
        }
        if (view == null) {
            return current == null ? List.of() : List.of(new Mismatch(t.name(), "MISSING_IN_VIEW", "-",
                    "version " + current));
        }
        List<Mismatch> out = new ArrayList<>();
        String viewVersion = view.path("currentVersion").isNull() ? null : view.path("currentVersion").asText(null);
        if (!java.util.Objects.equals(viewVersion, current)) {
            out.add(new Mismatch(t.name(), "VERSION", String.valueOf(viewVersion), String.valueOf(current)));
        }
        String status = view.path("status").asText();
        String target = view.path("targetVersion").asText(null);
        String expected = failed ? "FAILED" : java.util.Objects.equals(current, target) ? "SYNCED" : "PENDING";
        if (!status.equals(expected)) {
            out.add(new Mismatch(t.name(), "STATUS", status, expected + " (version " + current
                    + (failed ? ", last file failed" : "") + ")"));
        }
        return out;
    }

    private void print(PrintWriter out, int checked, List<Mismatch> found) {
        if (!found.isEmpty()) {
            Table table = new Table("TARGET", "MISMATCH", "VIEW", "DATABASE");
            found.forEach(m -> table.row(m.target(), m.kind(), m.view(), m.database()));
            table.print(out);
        }
        out.println(checked + " targets of env " + env + " checked: " + (found.isEmpty() ? "the views agree with"
                + " every target's atlas_schema_revisions" : found.size() + " mismatches"));
    }
}
