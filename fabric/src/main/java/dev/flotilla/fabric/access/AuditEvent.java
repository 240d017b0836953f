package dev.flotilla.fabric.access;

import java.time.Instant;

/**
 * One entry of the audit trail: who did what to which object, when, from where, and how it ended.
 *
 * @param seq its place in the trail (0 before it is stored)
 * @param actor the name of the token that made the request ({@code anonymous} when none was given)
 * @param action e.g. {@code directory.push}, {@code deployment.create}, {@code token.revoke}
 * @param object what it acted on, e.g. {@code db-per-tenant:v2}, {@code env prod}, {@code token 7}
 * @param outcome {@code ok}, or {@code denied} / {@code failed} with the reason in {@code detail}
 * @param source the client's address
 */
public record AuditEvent(long seq, Instant at, String actor, String action, String object, String outcome,
        String source, String detail) {
    /** An event about to be recorded now. */
    public static AuditEvent of(String actor, String action, String object, String outcome, String source,
            String detail) {
        return new AuditEvent(0, Instant.now(), actor, action, object, outcome, source, detail);
    }
}
