package dev.flotilla.bench;

import dev.flotilla.migrate.dir.MigrationDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The migration directory every contender applies: three files (a table, an index, seed rows), as
 * Atlas writes them with {@code atlas.sum}, and the same SQL under Flyway's {@code V1__…} names.
 * The "latent" variant follows every statement with {@code SELECT pg_sleep(…)} (PostgreSQL only).
 */
final class Workload {
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("20260101000001_create_users.sql", "CREATE TABLE users (\n  id integer PRIMARY KEY,\n"
                + "  name text NOT NULL,\n  email text\n);\n");
        FILES.put("20260101000002_users_email.sql", "CREATE INDEX users_email ON users (email);\n");
        FILES.put("20260101000003_seed_users.sql", "INSERT INTO users (id, name, email) VALUES (1, 'a8m',"
                + " 'a8m@example.com');\nINSERT INTO users (id, name, email) VALUES (2, 'rotemtam',"
                + " 'rotemtam@example.com');\n");
    }

    private final Path atlasDir;
    private final Path flywayDir;

    private Workload(Path atlasDir, Path flywayDir) {
        this.atlasDir = atlasDir;
        this.flywayDir = flywayDir;
    }

    /**
     * Writes both forms under {@code root}.
     *
     * @param latencyMs when above 0, a {@code SELECT pg_sleep} of this many ms after every statement
     */
    static Workload write(Path root, int latencyMs) {
        return write(root, latencyMs, FILES.size(), "", "");
    }

    /**
     * The latent directory with {@code first} before the first file's statements and {@code last}
     * after the last file's (each a statement of its own, e.g. an insert that records the time).
     */
    static Workload write(Path root, int latencyMs, String first, String last) {
        return write(root, latencyMs, FILES.size(), first, last);
    }

    private static Workload write(Path root, int latencyMs, int files) {
        return write(root, latencyMs, files, "", "");
    }

    private static Workload write(Path root, int latencyMs, int files, String first, String last) {
        Path atlas = root.resolve("atlas");
        Path flyway = root.resolve("flyway");
        try {
            Files.createDirectories(atlas);
            Files.createDirectories(flyway);
            int n = 0;
            for (Map.Entry<String, String> f : FILES.entrySet()) {
                if (n == files) {
                    break;
                }
                String sql = latencyMs > 0 ? latent(f.getValue(), latencyMs) : f.getValue();
                sql = (n == 0 ? first : "") + sql + (n == files - 1 ? last : "");
                Files.writeString(atlas.resolve(f.getKey()), sql, StandardCharsets.UTF_8);
                String description = f.getKey().substring(f.getKey().indexOf('_') + 1);
                Files.writeString(flyway.resolve("V" + (++n) + "__" + description), sql, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark's migration files under " + root, e);
        }
        MigrationDirectory.open(atlas).writeSum(atlas);
        return new Workload(atlas, flyway);
    }

    private static String latent(String sql, int latencyMs) {
        String sleep = "SELECT pg_sleep(" + (latencyMs / 1000.0) + ");\n";
        return sql.replace(";\n", ";\n" + sleep);
    }

    /** The Atlas directory (with atlas.sum). */
    Path atlasDir() {
        return atlasDir;
    }

    /** The same files as Flyway names them. */
    Path flywayDir() {
        return flywayDir;
    }

    /** The directory as pushed to the registry. */
    MigrationDirectory directory() {
        return MigrationDirectory.open(atlasDir);
    }

    /**
     * The warm-up's directories: the first file, the first two, … the whole directory (this one),
     * so that a warm-up fleet takes one rollout per file and every contender's per-tenant code runs
     * once per file before the clock starts.
     */
    List<Workload> steps(Path root) {
        List<Workload> steps = new ArrayList<>();
        for (int files = 1; files < FILES.size(); files++) {
            steps.add(write(root.resolve(Integer.toString(files)), 0, files));
        }
        steps.add(this);
        return steps;
    }

    /** Statements in the directory (without the injected sleeps). */
    static int statements() {
        int n = 0;
        for (String sql : FILES.values()) {
            n += sql.split(";\n", -1).length - 1;
        }
        return n;
    }
}
