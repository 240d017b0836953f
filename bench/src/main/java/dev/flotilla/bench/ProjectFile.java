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
 * following its own registry directory.
 */
final class ProjectFile {
    /**
     * An env.
     *
     * @param name env name, also the registry directory it follows
     * @param fleet its targets
     */
    record Env(String name, Fleet fleet) {
    }

    private final List<Env> envs = new ArrayList<>();

    ProjectFile env(String name, Fleet fleet) {
        envs.add(new Env(name, fleet));
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
            for (Env e : envs) {
                w.write("\nenv \"" + e.name() + "\" {\n  for_each = toset(local." + listName(e) + ")\n  url      = "
                        + e.fleet().hclUrl() + "\n  migration {\n    dir = \"atlas://" + e.name() + "\"\n  }\n}\n");
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
        return file;
    }

    /** The first env's name over the same fleet: its tenant list is written once. */
    private String listName(Env e) {
        return envs.stream().filter(o -> o.fleet() == e.fleet()).findFirst().orElseThrow().name();
    }
}
