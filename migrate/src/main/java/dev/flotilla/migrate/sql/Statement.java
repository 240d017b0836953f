package dev.flotilla.migrate.sql;

import java.util.Objects;

/**
 * One statement of a migration file.
 *
 * @param text the statement as Atlas' lexer yields it: trimmed, without the comments that precede
 *             it, ending with {@code ;} when the default delimiter ended it, without the delimiter
 *             when a custom one did; never null, empty only for an empty statement such as a lone
 *             custom delimiter
 * @param line the 1-based line of the file on which {@code text} starts
 */
public record Statement(String text, int line) {

    /** Checks the invariants: {@code text} is not null and {@code line} is at least 1. */
    public Statement {
        Objects.requireNonNull(text, "text");
        if (line < 1) {
            throw new IllegalArgumentException("statement line must be 1 or more, got " + line);
        }
    }
}
