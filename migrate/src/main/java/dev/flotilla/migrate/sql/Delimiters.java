package dev.flotilla.migrate.sql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Atlas' delimiter settings: the {@code -- atlas:delimiter} directive on a file's first line
 * ({@code directive} in {@code dir.go}), the MySQL client's {@code DELIMITER} command and the
 * unescaping of both ({@code Scanner.setDelim}).
 */
final class Delimiters {
    /** The delimiter Atlas uses when none is set; it is kept at the end of statement texts. */
    static final String DEFAULT = ";";
    /** The MySQL client command that sets the delimiter. */
    static final String COMMAND = "delimiter";

    /** Atlas' {@code reDirective}; Go's {@code .} excludes only {@code \n}, hence {@code [^\n]}. */
    private static final Pattern DIRECTIVE = Pattern.compile("([ -~]*)atlas:(\\w+)(?: +([^\\n]+))*");
    private static final String DIRECTIVE_PREFIX = "-- ";
    private static final String DIRECTIVE_NAME = "delimiter";

    private Delimiters() {
    }

    /**
     * The raw argument of an {@code -- atlas:delimiter} directive that {@code src} holds at
     * {@code from} ({@code ""} when it has none), or null when there is no such directive.
     */
    static String directiveAt(String src, int from) {
        Matcher m = DIRECTIVE.matcher(src).region(from, src.length());
        if (!m.lookingAt() || !DIRECTIVE_PREFIX.equals(m.group(1)) || !DIRECTIVE_NAME.equals(m.group(2))) {
            return null;
        }
        return m.group(3) == null ? "" : m.group(3);
    }

    /**
     * The delimiter named by the rest of a {@code DELIMITER} command line: trimmed, and unquoted
     * when in single quotes ({@code ''} standing for {@code '}); null for a lone {@code '}, on which
     * Atlas crashes.
     */
    static String commandArgument(String rest) {
        String d = GoText.trimSpace(rest);
        if (!d.startsWith("'") || !d.endsWith("'")) {
            return d;
        }
        return d.length() < 2 ? null : d.substring(1, d.length() - 1).replace("''", "'");
    }

    /** Go's {@code strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\t`, "\t").Replace(d)}. */
    static String unescape(String d) {
        StringBuilder out = new StringBuilder(d.length());
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            char escaped = i + 1 < d.length() && c == '\\' ? escape(d.charAt(i + 1)) : 0;
            if (escaped != 0) {
                out.append(escaped);
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static char escape(char c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> 0;
        };
    }
}
