package dev.flotilla.coordinator.config;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The project file being read: its name as the user gave it (for messages) and the directory
 * {@code file()} paths are relative to.
 *
 * @param name shown in messages, e.g. {@code atlas.hcl} or {@code deploy/atlas.hcl}
 * @param baseDir absolute directory of the file
 */
record SourceFile(String name, Path baseDir) {
    SourceFile {
        Objects.requireNonNull(name, "name");
        baseDir = Objects.requireNonNull(baseDir, "baseDir").toAbsolutePath().normalize();
    }

    /** {@code name:line}, or just the name when the line is not known (0). */
    String at(int line) {
        return line > 0 ? name + ":" + line : name;
    }

    /**
     * A {@link ErrorCode#CONFIG_INVALID} error: {@code atlas.hcl:12: env "prod": url: <problem>}.
     * Passwords in the text are masked.
     *
     * @param where the block and attribute, e.g. {@code env "prod": url}
     * @param problem what is wrong, the bad value and the fix
     */
    FlotillaException invalid(int line, String where, String problem) {
        return new FlotillaException(ErrorCode.CONFIG_INVALID, ValueText.redact(at(line) + ": " + where + ": " + problem));
    }
}
