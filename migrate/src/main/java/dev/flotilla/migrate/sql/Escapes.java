package dev.flotilla.migrate.sql;

/**
 * Backslash escapes inside string literals, as MySQL reads them in {@code '…'} and {@code "…"} and
 * PostgreSQL in {@code E'…'}: what a literal's value is, for {@link Literals}.
 */
final class Escapes {
    private Escapes() {
    }

    /**
     * Appends what the escape at {@code backslash} stands for to {@code out}.
     *
     * @return the offset just past the escape
     */
    static int append(StringBuilder out, String s, int backslash, Dialect dialect) {
        char c = s.charAt(backslash + 1);
        if (dialect == Dialect.POSTGRES) {
            return postgres(out, s, backslash, c);
        }
        switch (c) {
            case '0': out.append('\0'); break;
            case 'b': out.append('\b'); break;
            case 'n': out.append('\n'); break;
            case 'r': out.append('\r'); break;
            case 't': out.append('\t'); break;
            case 'Z': out.append('\u001a'); break;
            case '%': case '_': out.append('\\').append(c); break; // kept, for LIKE patterns
            default: out.append(c);
        }
        return backslash + 2;
    }

    /**
     * {@code \b \f \n \r \t}, octal {@code \o…}, {@code \xh…}, and the 4- and 8-digit Unicode
     * escapes (backslash u, backslash U); any other escaped char stands for itself.
     */
    private static int postgres(StringBuilder out, String s, int backslash, char c) {
        switch (c) {
            case 'b': out.append('\b'); return backslash + 2;
            case 'f': out.append('\f'); return backslash + 2;
            case 'n': out.append('\n'); return backslash + 2;
            case 'r': out.append('\r'); return backslash + 2;
            case 't': out.append('\t'); return backslash + 2;
            case 'x': return number(out, s, backslash + 2, 2, 16, backslash, c);
            case 'u': return number(out, s, backslash + 2, 4, 16, backslash, c);
            case 'U': return number(out, s, backslash + 2, 8, 16, backslash, c);
            default:
                if (c >= '0' && c <= '7') {
                    return number(out, s, backslash + 1, 3, 8, backslash, c);
                }
                out.append(c);
                return backslash + 2;
        }
    }

    /** Up to {@code max} digits of {@code radix} from {@code from}; none: the escaped char as written. */
    private static int number(StringBuilder out, String s, int from, int max, int radix, int backslash, char c) {
        int end = from;
        while (end < s.length() && end - from < max && Character.digit(s.charAt(end), radix) >= 0) {
            end++;
        }
        if (end == from) {
            out.append(c);
            return backslash + 2;
        }
        out.appendCodePoint(Integer.parseInt(s.substring(from, end), radix));
        return end;
    }
}
