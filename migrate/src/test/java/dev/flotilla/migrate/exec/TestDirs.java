package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.sql.Dialect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes migration directories (files + atlas.sum) for tests. */
final class TestDirs {
    private TestDirs() {
    }

    /** Writes {@code name, content, name, content, …} into {@code dir} and hashes it. */
    static Path write(Path dir, String... nameContent) {
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < nameContent.length; i += 2) {
                Files.writeString(dir.resolve(nameContent[i]), nameContent[i + 1], StandardCharsets.UTF_8);
            }
            MigrationDirectory.open(dir).writeSum(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PreparedDirectory prepare(Path dir, Dialect dialect) {
        MigrationDirectory d = MigrationDirectory.open(dir);
        d.validate();
        return PreparedDirectory.of(d, dialect);
    }
}
