package dev.flotilla.fabric.access;

import java.util.ArrayList;
import java.util.List;

/** {@link AuditTrail} in memory, for tests. Thread-safe. */
public final class InMemoryAuditTrail implements AuditTrail {
    private final List<AuditEvent> events = new ArrayList<>();

    @Override
    public synchronized void record(AuditEvent e) {
        events.add(new AuditEvent(events.size() + 1, e.at(), e.actor(), e.action(), e.object(), e.outcome(),
                e.source(), e.detail()));
    }

    @Override
    public synchronized List<AuditEvent> list(String action, String actor, long before, int limit) {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = events.size() - 1; i >= 0 && out.size() < limit; i--) {
            AuditEvent e = events.get(i);
            if ((action == null || action.equals(e.action())) && (actor == null || actor.equals(e.actor()))
                    && (before == 0 || e.seq() < before)) {
                out.add(e);
            }
        }
        return out;
    }
}
