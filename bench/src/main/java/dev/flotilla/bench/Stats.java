package dev.flotilla.bench;

import java.util.Arrays;

/** Percentiles of a sample, nearest rank. */
final class Stats {
    private final long[] sorted;

    private Stats(long[] sorted) {
        this.sorted = sorted;
    }

    static Stats of(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return new Stats(s);
    }

    int count() {
        return sorted.length;
    }

    /** The value at quantile {@code q} (0..1) by nearest rank; 0 for an empty sample. */
    long quantile(double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    long max() {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }
}
