package dev.flotilla.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the {@code atlas.hcl} Flotilla reads: envs over fleets (several may share one), each
 * following its own registry directory, optionally rolled out through a {@code deployment} block.
 */
final class ProjectFile {
    /**
     * An env.
     *
     * @param name env name, also the registry directory it follows
     * @param fleet its targets
     * @param deployment the {@code deployment} block its {@code rollout} names, or null for none
     */
    record Env(String name, Fleet fleet, String deployment) {
    }

    private final List<Env> envs = new ArrayList<>();
    /** Atlas {@code deployment} blocks, by name, as written. */
    private final java.util.Map<String, String> deployments = new java.util.LinkedHashMap<>();

    ProjectFile env(String name, Fleet fleet) {
        return env(name, fleet, null);
    }

    /** An env whose rollout is the deployment {@code deployment} (null: none, every target at once). */
    ProjectFile env(String name, Fleet fleet, String deployment) {
        envs.add(new Env(name, fleet, deployment));
        return this;
    }

    /**
     * An Atlas {@code deployment} block with one variable, {@code name} (the tenant's name).
     *
     * @param groups the group blocks, as HCL
     */
    ProjectFile deployment(String name, String groups) {
        deployments.put(name, "\ndeployment \"" + name + "\" {\n  variable \"name\" {\n    type = string\n  }\n"
                + groups + "}\n");
        return this;
    }

    Path write(Path file) {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("locals {\n");
            java.util.Set<Fleet> listed = new java.util.HashSet<>();
            for (Env e : envs) {
                if (!listed.add(e.fleet())) {
                    continue;
                }
                w.write("  " + e.name() + " = [");
                List<String> ts = e.fleet().tenants();
                for (int i = 0; i < ts.size(); i++) {
                    w.write((i == 0 ? "" : ", ") + "\"" + ts.get(i) + "\"");
                }
                w.write("]\n");
            }
            w.write("}\n");
            for (String d : deployments.values()) {
                w.write(d);
            }
            for (Env e : envs) {
                w.write("\nenv \"" + e.name() + "\" {\n  for_each = toset(local." + listName(e) + ")\n  url      = "
                        + e.fleet().hclUrl() + "\n  migration {\n    dir = \"atlas://" + e.name() + "\"\n  }\n"
                        + rollout(e) + "}\n");
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
        return file;
    }

    private static String rollout(Env e) {
        return e.deployment() == null ? "" : "  rollout {\n    deployment = deployment." + e.deployment()
                + "\n    vars = {\n      name = each.value\n    }\n  }\n";
    }

    /** The first env's name over the same fleet: its tenant list is written once. */
    private String listName(Env e) {
        return envs.stream().filter(o -> o.fleet() == e.fleet()).findFirst().orElseThrow().name();
    }
}
