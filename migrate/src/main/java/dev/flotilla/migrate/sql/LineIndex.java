package dev.flotilla.migrate.sql;

import java.util.Arrays;

/** Maps char offsets of a text to 1-based lines and columns. */
final class LineIndex {
    private final int[] newlines;

    LineIndex(String text) {
        this.newlines = offsetsOfNewlines(text);
    }

    private static int[] offsetsOfNewlines(String text) {
        int[] found = new int[16];
        int n = 0;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            if (n == found.length) {
                found = Arrays.copyOf(found, n * 2);
            }
            found[n++] = i;
        }
        return Arrays.copyOf(found, n);
    }

    /** The 1-based line of the char at {@code offset}. */
    int line(int offset) {
        int i = Arrays.binarySearch(newlines, offset);
        return 1 + (i >= 0 ? i : -i - 1);
    }

    /** The 1-based column of the char at {@code offset}. */
    int column(int offset) {
        int line = line(offset);
        return line == 1 ? offset + 1 : offset - newlines[line - 2];
    }
}
