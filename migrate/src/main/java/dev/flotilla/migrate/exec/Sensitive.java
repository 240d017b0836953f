package dev.flotilla.migrate.exec;

import java.util.regex.Pattern;

/**
 * Masks string literals of {@code -- atlas:sensitive} files before a statement is shown, logged or
 * reported, as Atlas does: each literal becomes {@code '(sensitive)'}.
 */
public final class Sensitive {
    /** What a masked literal looks like. */
    public static final String PLACEHOLDER = "'(sensitive)'";

    private static final Pattern LITERAL = Pattern.compile(
            "[eE]?'(?:[^'\\\\]|''|\\\\.)*'"                 // '…' and E'…' with '' or \ escapes
            + "|\\$([A-Za-z_][A-Za-z_0-9]*)?\\$[\\s\\S]*?\\$\\1\\$"); // $$…$$ and $tag$…$tag$

    private Sensitive() {
    }

    /** The statement with every string literal replaced by {@value #PLACEHOLDER}. */
    public static String mask(String statement) {
        return LITERAL.matcher(statement).replaceAll(PLACEHOLDER.replace("$", "\\$"));
    }
}
