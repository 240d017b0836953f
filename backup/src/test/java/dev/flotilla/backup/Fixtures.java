package dev.flotilla.backup;

import dev.flotilla.migrate.dir.MigrationDirectory;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/** Small migration directories for the backup tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** A valid directory of {@code files} files, each creating table t1, t2, …. */
    static MigrationDirectory directory(int files) {
        TreeMap<String, byte[]> map = new TreeMap<>();
        for (int i = 1; i <= files; i++) {
            map.put(i + "_t" + i + ".sql", ("CREATE TABLE t" + i + " (id int);\n").getBytes(StandardCharsets.UTF_8));
        }
        MigrationDirectory unsummed = MigrationDirectory.of(map, null);
        return MigrationDirectory.of(map, unsummed.computeSum().toBytes());
    }
}
