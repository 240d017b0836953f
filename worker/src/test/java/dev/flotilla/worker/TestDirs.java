package dev.flotilla.worker;

import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.sql.Dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a migration directory (files + atlas.sum) and prepares it for PostgreSQL, for the worker's tests. */
final class TestDirs {
    private TestDirs() {
    }

    /** Writes {@code name, content, name, content, …} into a new directory under {@code parent}. */
    static PreparedDirectory postgres(Path parent, String... nameContent) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("m" + System.nanoTime()));
        for (int i = 0; i < nameContent.length; i += 2) {
            Files.writeString(dir.resolve(nameContent[i]), nameContent[i + 1]);
        }
        MigrationDirectory.open(dir).writeSum(dir);
        MigrationDirectory m = MigrationDirectory.open(dir);
        m.validate();
        return PreparedDirectory.of(m, Dialect.POSTGRES);
    }
}
