package dev.flotilla.fabric.access;

import java.util.List;

/** The append-only record of what was done through the API; nothing edits or deletes an entry. */
public interface AuditTrail {
    /** Appends an event. */
    void record(AuditEvent e);

    /**
     * Events, newest first.
     *
     * @param action only this action, or null for all
     * @param actor only this actor, or null for all
     * @param before only events older than this sequence number, or 0 for the newest
     * @param limit at most this many
     */
    List<AuditEvent> list(String action, String actor, long before, int limit);
}
