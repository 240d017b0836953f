package dev.flotilla.worker;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Tracks which offsets of each partition are done when records finish out of order, so that the
 * committed offset never passes a record still in flight. Event-loop confined.
 */
final class OffsetTracker<P> {
    private final Map<P, TreeSet<Long>> inFlight = new HashMap<>();
    private final Map<P, Long> highestDone = new HashMap<>();
    private final Map<P, Long> committed = new HashMap<>();

    void started(P partition, long offset) {
        inFlight.computeIfAbsent(partition, k -> new TreeSet<>()).add(offset);
    }

    void done(P partition, long offset) {
        TreeSet<Long> s = inFlight.get(partition);
        if (s != null) {
            s.remove(offset);
        }
        highestDone.merge(partition, offset, Math::max);
    }

    /** The offsets that may be committed now (next offset to read), only those that advanced. */
    Map<P, Long> committable() {
        Map<P, Long> out = new HashMap<>();
        for (Map.Entry<P, Long> e : highestDone.entrySet()) {
            TreeSet<Long> pending = inFlight.get(e.getKey());
            long next = pending == null || pending.isEmpty() ? e.getValue() + 1 : pending.first();
            Long last = committed.get(e.getKey());
            if (last == null || next > last) {
                out.put(e.getKey(), next);
            }
        }
        return out;
    }

    void committed(Map<P, Long> offsets) {
        offsets.forEach((p, o) -> committed.merge(p, o, Math::max));
    }

    /** Forgets partitions this consumer no longer owns. */
    void revoked(P partition) {
        inFlight.remove(partition);
        highestDone.remove(partition);
        committed.remove(partition);
    }

    int inFlight() {
        int n = 0;
        for (TreeSet<Long> s : inFlight.values()) {
            n += s.size();
        }
        return n;
    }
}
