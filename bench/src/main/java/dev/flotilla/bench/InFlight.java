package dev.flotilla.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How busy the workers kept a rollout, from its results' {@code startedAt} and {@code endedAt}
 * (SKIPPED results excluded): the share of the span first start → last end during which k targets
 * were applying at once, and, for lanes, where each lane's time went.
 */
final class InFlight {
    private InFlight() {
    }

    /**
     * Where the lanes' time went, summed over lanes, in ms.
     *
     * @param lanes how many lanes ran
     * @param busy applying
     * @param gaps idle between two of its targets
     * @param head idle from the first start of any lane to the lane's first start
     * @param tail idle from the lane's last end to the last end of any lane
     */
    record Lanes(int lanes, long busy, long gaps, long head, long tail) {
        long total() {
            return busy + gaps + head + tail;
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

    /** Where the time of the lanes {@code laneOf} names went (results it maps to null are left out). */
    static Lanes lanes(List<TopicLog.Result> results, Function<TopicLog.Result, String> laneOf) {
        Map<String, List<TopicLog.Result>> byLane = new HashMap<>();
        for (TopicLog.Result r : applied(results)) {
            String lane = laneOf.apply(r);
            if (lane != null) {
                byLane.computeIfAbsent(lane, k -> new ArrayList<>()).add(r);
            }
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (List<TopicLog.Result> l : byLane.values()) {
            for (TopicLog.Result r : l) {
                first = Math.min(first, r.startedMillis());
                last = Math.max(last, r.endedMillis());
            }
        }
        long busy = 0;
        long gaps = 0;
        long head = 0;
        long tail = 0;
        for (List<TopicLog.Result> l : byLane.values()) {
            l.sort(Comparator.comparingLong(TopicLog.Result::startedMillis));
            head += l.get(0).startedMillis() - first;
            long end = l.get(0).startedMillis();
            for (TopicLog.Result r : l) {
                gaps += Math.max(0, r.startedMillis() - end);
                busy += r.endedMillis() - r.startedMillis();
                end = Math.max(end, r.endedMillis());
            }
            tail += last - end;
        }
        return new Lanes(byLane.size(), busy, gaps, head, tail);
    }

    private static List<TopicLog.Result> applied(List<TopicLog.Result> results) {
        return results.stream().filter(r -> !"SKIPPED".equals(r.status())).toList();
    }
}
