package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** Rules for migration file names. */
final class FileNames {

    /**
     * Go's string order, which Atlas uses to sort files: by UTF-8 bytes. {@link String#compareTo} compares
     * UTF-16 units and disagrees for characters above U+FFFF.
     */
    static final Comparator<String> ATLAS_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static final String EXAMPLE_VERSION = "20240721101205";

    private FileNames() {
    }

    /**
     * Refuses a name that is not a plain file name directly inside the directory: empty, absolute,
     * containing {@code /}, {@code \} or NUL, or {@code .}/{@code ..}.
     */
    static void requirePlain(String name, String where) {
        boolean plain = !name.isEmpty() && name.indexOf('/') < 0 && name.indexOf('\\') < 0
                && name.indexOf('\0') < 0 && !name.equals(".") && !name.equals("..");
        if (!plain) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "\"" + name + "\" in " + where
                    + " is not a plain file name: migration files must sit directly in the directory, "
                    + "without '/', '..' or an absolute path");
        }
    }

    /** Refuses a name that does not end in {@code .sql} or whose version (text before the first '_') is empty. */
    static void requireMigrationName(MigrationFile file, String where) {
        if (!file.name().endsWith(MigrationFile.SQL_SUFFIX)) {
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "migration file \"" + file.name() + "\" in "
                    + where + " does not end in .sql; name it <version>_<description>.sql, e.g. \""
                    + EXAMPLE_VERSION + "_init.sql\"");
        }
        if (file.version().isEmpty()) {
            String suggestion = EXAMPLE_VERSION + (file.description().isEmpty() ? "" : "_" + file.description());
            throw new FlotillaException(ErrorCode.DIRECTORY_INVALID, "migration file \"" + file.name() + "\" in "
                    + where + " has an empty version (the text before the first '_'); rename it, e.g. to \""
                    + suggestion + ".sql\"");
        }
    }
}
