package dev.flotilla.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * How busy the workers kept a rollout, from its results' {@code startedAt} and {@code endedAt}
 * (SKIPPED results excluded): the share of the span first start → last end during which k targets
 * were applying at once, and how each staged group used its {@code parallel} slots.
 */
final class InFlight {
    private InFlight() {
    }

    /**
     * How a group used its slots: from its first start to its last end, {@code busy / span} targets
     * applied at once on average, of at most {@code parallel}.
     *
     * @param name the group
     * @param parallel its limit
     * @param first its first target's start
     * @param last its last target's end
     * @param busy its targets' apply times, summed
     */
    record Group(String name, int parallel, long first, long last, long busy) {
        double meanApplying() {
            return busy / (double) Math.max(1, last - first);
        }
    }
    /** Share of the span with exactly k targets applying, for k = 0..max (more than max counts as max). */
    static double[] shares(List<TopicLog.Result> results, int max) {
        List<long[]> edges = new ArrayList<>();
        for (TopicLog.Result r : applied(results)) {
            edges.add(new long[] {r.startedMillis(), 1});
            edges.add(new long[] {r.endedMillis(), -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        double[] out = new double[max + 1];
        if (edges.isEmpty()) {
            return out;
        }
        long span = edges.get(edges.size() - 1)[0] - edges.get(0)[0];
        int now = 0;
        for (int i = 0; i < edges.size() - 1; i++) {
            now += (int) edges.get(i)[1];
            out[Math.min(max, Math.max(0, now))] += edges.get(i + 1)[0] - edges.get(i)[0];
        }
        for (int k = 0; k <= max; k++) {
            out[k] = span == 0 ? 0 : out[k] / span;
        }
        return out;
    }

    /** How each group {@code groupOf} names used its slots (results it maps to null are left out), by name. */
    static List<Group> groups(List<TopicLog.Result> results, Function<TopicLog.Result, String> groupOf,
            ToIntFunction<String> parallelOf) {
        Map<String, long[]> byGroup = new TreeMap<>();
        for (TopicLog.Result r : applied(results)) {
            String g = groupOf.apply(r);
            if (g != null) {
                long[] a = byGroup.computeIfAbsent(g, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
                a[0] = Math.min(a[0], r.startedMillis());
                a[1] = Math.max(a[1], r.endedMillis());
                a[2] += r.endedMillis() - r.startedMillis();
            }
        }
        List<Group> out = new ArrayList<>();
        byGroup.forEach((g, a) -> out.add(new Group(g, parallelOf.applyAsInt(g), a[0], a[1], a[2])));
        return out;
    }

    private static List<TopicLog.Result> applied(List<TopicLog.Result> results) {
        return results.stream().filter(r -> !"SKIPPED".equals(r.status())).toList();
    }
}
