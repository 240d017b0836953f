package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.sql.Dialect;
import dev.flotilla.migrate.sql.Literals;
import dev.flotilla.migrate.sql.Literals.Literal;

/**
 * Masks string literals of {@code -- atlas:sensitive} files before a statement is shown, logged or
 * reported, as Atlas does: each literal becomes {@value #PLACEHOLDER}. Literals are found with the
 * dialect's rules ({@link Literals}).
 */
public final class Sensitive {
    /** What a masked literal looks like. */
    public static final String PLACEHOLDER = "'(sensitive)'";

    private Sensitive() {
    }

    /** The statement with every string literal replaced by {@value #PLACEHOLDER}. */
    public static String mask(String statement, Dialect dialect) {
        StringBuilder out = new StringBuilder(statement.length());
        int from = 0;
        for (Literal l : Literals.find(statement, dialect)) {
            out.append(statement, from, l.start()).append(PLACEHOLDER);
            from = l.end();
        }
        return out.append(statement, from, statement.length()).toString();
    }
}
