package dev.flotilla.bench;

import java.util.Map;
import java.util.TreeMap;

/** A Prometheus histogram read from {@code /metrics} text: cumulative counts by upper bound. */
final class PromHistogram {
    private final TreeMap<Double, Double> buckets;

    private PromHistogram(TreeMap<Double, Double> buckets) {
        this.buckets = buckets;
    }

    /** The {@code name_bucket} series (summed over any other labels); empty when absent. */
    static PromHistogram parse(String text, String name) {
        TreeMap<Double, Double> b = new TreeMap<>();
        String prefix = name + "_bucket{";
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            int le = line.indexOf("le=\"");
            int end = line.indexOf('"', le + 4);
            String bound = line.substring(le + 4, end);
            double upper = "+Inf".equals(bound) ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            b.merge(upper, count, Double::sum);
        }
        return new PromHistogram(b);
    }

    /** What was observed after {@code earlier}. */
    PromHistogram minus(PromHistogram earlier) {
        TreeMap<Double, Double> d = new TreeMap<>();
        buckets.forEach((k, v) -> d.put(k, v - earlier.buckets.getOrDefault(k, 0.0)));
        return new PromHistogram(d);
    }

    double count() {
        return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
    }

    /** The q-quantile, interpolated linearly inside its bucket as PromQL's histogram_quantile does; NaN when empty. */
    double quantile(double q) {
        double total = count();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> e : buckets.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return lower;
                }
                double inBucket = e.getValue() - below;
                return inBucket <= 0 ? e.getKey() : lower + (e.getKey() - lower) * (rank - below) / inBucket;
            }
            lower = e.getKey();
            below = e.getValue();
        }
        return lower;
    }
}
