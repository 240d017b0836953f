package dev.flotilla.migrate.dir;

import dev.flotilla.migrate.FlotillaException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One {@code <version>[_<description>].sql} file of a {@link MigrationDirectory}. Immutable and
 * thread-safe.
 */
public final class MigrationFile {
    static final String SQL_SUFFIX = ".sql";

    private final String name;
    private final byte[] content;
    private volatile Directives directives;

    MigrationFile(String name, byte[] content) {
        this.name = Objects.requireNonNull(name, "name");
        this.content = content.clone();
    }

    /** The file name, e.g. {@code 20240721101205_init.sql}; never null. */
    public String name() {
        return name;
    }

    /**
     * The text before the first {@code _} with {@code .sql} removed, or the whole base name when there
     * is no {@code _} (Atlas' {@code LocalFile.Version}); e.g. {@code 20240721101205}. Never null, empty
     * only for an invalid name, which {@link MigrationDirectory#validate()} refuses.
     */
    public String version() {
        String base = stripSuffix(name);
        int underscore = base.indexOf('_');
        return underscore < 0 ? base : base.substring(0, underscore);
    }

    /** The text after the first {@code _} with {@code .sql} removed, e.g. {@code init}; {@code ""} if none. */
    public String description() {
        int underscore = name.indexOf('_');
        return underscore < 0 ? "" : stripSuffix(name.substring(underscore + 1));
    }

    /** The raw bytes of the file, exactly as hashed into {@code atlas.sum}; a fresh copy on each call. */
    public byte[] content() {
        return content.clone();
    }

    /** The content decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /**
     * The file's {@code -- atlas:} directives, read with Atlas' rules: {@code txmode}, {@code checkpoint}
     * and {@code sensitive} must sit in the comment block at the top of the file, separated from the
     * statements by a blank line; {@code sum ignore} and {@code delimiter} must be the first line.
     *
     * @return the directives, never null
     * @throws FlotillaException with {@code DIRECTORY_INVALID} when a directive has a bad value (an
     *                           unknown or repeated {@code txmode}, {@code txmode all}, an empty delimiter)
     */
    public Directives directives() {
        Directives parsed = directives;
        if (parsed == null) {
            parsed = DirectiveParser.parse(name, text());
            directives = parsed;
        }
        return parsed;
    }

    /** Whether the file's content is left out of {@code atlas.sum}; never throws. */
    boolean sumIgnored() {
        int end = indexOf(content, (byte) '\n');
        String firstLine = new String(content, 0, end, StandardCharsets.UTF_8);
        return DirectiveParser.isSumIgnore(firstLine);
    }

    /** The raw bytes without copying; callers must not modify them. */
    byte[] bytes() {
        return content;
    }

    @Override
    public String toString() {
        return name;
    }

    private static String stripSuffix(String s) {
        return s.endsWith(SQL_SUFFIX) ? s.substring(0, s.length() - SQL_SUFFIX.length()) : s;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }
}
