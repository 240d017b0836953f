package dev.flotilla.migrate.sql;

/** The Go string functions Atlas' lexer relies on, where Java's differ. */
final class GoText {

    private GoText() {
    }

    /**
     * Go's {@code unicode.IsSpace}: Latin-1 {@code \t \n \v \f \r}, space, U+0085, U+00A0 and the
     * other Unicode White_Space code points. Unlike {@link Character#isWhitespace(int)} it includes
     * the no-break spaces and excludes U+001C..U+001F.
     */
    static boolean isSpace(int cp) {
        if (cp <= 0xFF) {
            return cp == ' ' || cp >= '\t' && cp <= '\r' || cp == 0x85 || cp == 0xA0;
        }
        return cp == 0x1680 || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** The number of chars of leading {@linkplain #isSpace space} in {@code s}. */
    static int leadingSpace(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return i;
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trimSpace(String s) {
        int from = leadingSpace(s);
        int to = s.length();
        while (to > from && isSpace(s.codePointBefore(to))) {
            to -= Character.charCount(s.codePointBefore(to));
        }
        return s.substring(from, to);
    }

    /**
     * Go's {@code strings.EqualFold(s[from:from+len(word)], word)} for an ASCII {@code word}: only
     * ASCII letters fold (no letter of the words used here has a non-ASCII fold partner in Go).
     */
    static boolean startsWithIgnoreCase(String s, int from, String word) {
        if (from + word.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (lowerAscii(s.charAt(from + i)) != lowerAscii(word.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** The number of UTF-8 bytes of {@code s[from:to]}, Go's {@code len} of that string. */
    static long utf8Length(String s, int from, int to) {
        long bytes = 0;
        for (int i = from; i < to; i += Character.charCount(s.codePointAt(i))) {
            bytes += utf8Length(s.codePointAt(i));
        }
        return bytes;
    }

    /**
     * The chars from {@code from} that span {@code bytes} UTF-8 bytes, rounded up to a whole code
     * point (where Go would cut a character in two).
     */
    static int charsForUtf8(String s, int from, long bytes) {
        int i = from;
        for (long b = 0; b < bytes && i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            b += utf8Length(s.codePointAt(i));
        }
        return i - from;
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
}
