package dev.flotilla.migrate.dir;

import java.util.List;
import java.util.Locale;

/**
 * Atlas' {@code Validate} diagnosis: given the sum on disk and the sum recomputed from the files,
 * finds the first line that differs and why.
 */
final class SumCheck {

    /** Why a line of {@code atlas.sum} no longer matches, as Atlas' {@code Reason}. */
    enum Reason {
        ADDED, EDITED, REMOVED;

        /** The word used in messages: {@code added}, {@code edited} or {@code removed}. */
        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The first difference.
     *
     * @param file   the file to blame
     * @param reason what happened to it
     * @param line   the 1-based line of {@code atlas.sum} where the difference starts
     */
    record Mismatch(String file, Reason reason, int line) {
    }

    private SumCheck() {
    }

    /** The first difference between {@code onDisk} and {@code computed}, or null when the totals agree. */
    static Mismatch compare(HashFile onDisk, HashFile computed) {
        if (onDisk.total().equals(computed.total())) {
            return null;
        }
        List<HashFile.Entry> actual = onDisk.entries();
        List<HashFile.Entry> expected = computed.entries();
        for (int i = 0; i < actual.size(); i++) {
            if (i < expected.size() && expected.get(i).equals(actual.get(i))) {
                continue;
            }
            return mismatchAt(i, actual.get(i).file(), expected);
        }
        // Every line on disk is unchanged, so a file was appended after them.
        return new Mismatch(expected.get(actual.size()).file(), Reason.ADDED, actual.size() + 2);
    }

    private static Mismatch mismatchAt(int i, String fileOnDisk, List<HashFile.Entry> expected) {
        int line = i + 2; // line 1 holds the total
        int now = indexOf(expected, fileOnDisk);
        if (now < 0) {
            return new Mismatch(fileOnDisk, Reason.REMOVED, line);
        }
        if (now == i) {
            return new Mismatch(fileOnDisk, Reason.EDITED, line);
        }
        // The file moved down: another one was inserted before it.
        return new Mismatch(expected.get(i).file(), Reason.ADDED, line);
    }

    private static int indexOf(List<HashFile.Entry> entries, String file) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).file().equals(file)) {
                return i;
            }
        }
        return -1;
    }
}
