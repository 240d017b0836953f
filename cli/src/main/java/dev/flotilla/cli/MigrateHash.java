package dev.flotilla.cli;

import dev.flotilla.migrate.dir.MigrationDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code flotilla migrate hash}: (re)writes atlas.sum. */
@Command(name = "hash", mixinStandardHelpOptions = true,
        description = "Hash the migration directory and write atlas.sum (after editing a file by hand).")
final class MigrateHash implements Callable<Integer> {
    @Mixin
    DirOption dir;

    @Override
    public Integer call() {
        MigrationDirectory d = dir.open();
        d.writeSum(dir.path());
        return 0;
    }
}
