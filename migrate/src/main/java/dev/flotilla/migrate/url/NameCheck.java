package dev.flotilla.migrate.url;

import java.util.Locale;

/**
 * Refuses database names and SQLite paths that, once percent-decoded, a driver would read as
 * something else than a name: {@code ?} starts its options, {@code &} and {@code ;} separate them,
 * {@code #} starts a fragment, and a control character (NUL, a line break) cuts or splits the
 * name on the wire. {@code urlsetpath} escapes a tenant name into the path, so a tenant called
 * {@code db?allowLoadLocalInfile=true} arrives here as {@code db%3FallowLoadLocalInfile%3Dtrue}.
 */
final class NameCheck {
    private static final String FORBIDDEN = "?&;#";

    private NameCheck() {
    }

    /** Checks the decoded database name of a PostgreSQL or MySQL URL. */
    static void databaseName(String name, String shownUrl) {
        check("database name", name, shownUrl);
    }

    /**
     * Checks the decoded path of a SQLite URL; besides the characters above, the SQLite driver
     * reads a path starting with {@code :} ({@code :memory:}, {@code :resource:}) or {@code file:}
     * as an instruction, not a file.
     */
    static void sqlitePath(String path, String shownUrl) {
        check("SQLite path", path, shownUrl);
        if (path.startsWith(":") || path.toLowerCase(Locale.ROOT).startsWith("file:")) {
            throw DatabaseUrl.invalid(shownUrl, "its SQLite path \"" + path + "\" starts with \""
                    + (path.startsWith(":") ? ":" : "file:") + "\", which the driver reads as an instruction,"
                    + " not a file; name the file (sqlite://dir/file.db) or write sqlite://?mode=memory");
        }
    }

    private static void check(String what, String name, String shownUrl) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (FORBIDDEN.indexOf(c) >= 0 || Character.isISOControl(c)) {
                throw DatabaseUrl.invalid(shownUrl, "its " + what + " decodes to \"" + printable(name)
                        + "\", which holds " + describe(c) + "; a driver would read what follows it as options,"
                        + " so " + what + "s may not contain ?, &, ;, # or control characters: rename the"
                        + " database or fix the URL");
            }
        }
    }

    private static String describe(char c) {
        return Character.isISOControl(c) ? String.format("the control character U+%04X", (int) c) : "'" + c + "'";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
