package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/** {@code flotilla migrate new [name]}: an empty file versioned by the UTC time, as Atlas names it. */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = "Create a new, empty migration file and update atlas.sum.")
final class MigrateNew implements Callable<Integer> {
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    @Mixin
    DirOption dir;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "Description part of the file name.")
    String name;

    @Option(names = "--edit", description = "Open the new file in $EDITOR before hashing.")
    boolean edit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path path = dir.path();
        Files.createDirectories(path);
        MigrationDirectory.open(path).validate();
        if (name != null && !name.matches("[A-Za-z0-9_\\-.]+")) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "migration name \"" + name + "\" may contain"
                    + " only letters, digits, '_', '-' and '.'");
        }
        String version = ZonedDateTime.now(ZoneOffset.UTC).format(VERSION);
        Path file = path.resolve(version + (name == null || name.isEmpty() ? "" : "_" + name) + ".sql");
        if (Files.exists(file)) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "migration file " + file + " already exists;"
                    + " wait a second and run the command again");
        }
        Files.write(file, new byte[0]);
        if (edit) {
            String editor = System.getenv().getOrDefault("EDITOR", "vi");
            new ProcessBuilder(editor, file.toString()).inheritIO().start().waitFor();
        }
        MigrationDirectory.open(path).writeSum(path);
        spec.commandLine().getOut().println(file);
        return 0;
    }
}
