package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.util.regex.Pattern;

/** Identifier and literal quoting shared by the dialects. */
final class Quoting {
    /** Names we accept for schemas and databases we create or bind to. */
    private static final Pattern SAFE_NAME = Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_$\\-]{0,62}");

    private Quoting() {
    }

    /** Double-quotes an identifier (PostgreSQL, SQLite), doubling embedded quotes. */
    static String ansi(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    /** Back-quotes an identifier (MySQL/MariaDB), doubling embedded back quotes. */
    static String backtick(String ident) {
        return "`" + ident.replace("`", "``") + "`";
    }

    /**
     * Checks a schema or database name taken from a URL or a flag. Quoting already makes any
     * name safe; this refuses names that are almost certainly a mistake or an attack (quotes,
     * semicolons, spaces) with a message naming the value.
     */
    static String checkName(String what, String name) {
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new FlotillaException(ErrorCode.URL_INVALID, what + " \"" + name + "\" is not a valid name: use"
                    + " letters, digits, '_', '$' or '-', start with a letter or '_', at most 63 characters");
        }
        return name;
    }

    /**
     * Go's {@code %q} quoting, which Atlas uses for the statement in its error line: wraps in
     * double quotes and escapes backslash, double quote and control characters.
     */
    static String goQuote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
