package dev.flotilla.fabric.access;

import java.util.Locale;

/**
 * What an API token may do. Every route needs one; {@link #ADMIN} may do everything, and
 * {@link #DEPLOY} may also read (a pipeline that deploys waits for its deployment set).
 */
public enum Scope {
    /** The status views: deployment sets, databases, directories. */
    READ,
    /** Pushing migration directories and reading their archives; may be limited to named directories. */
    PUSH,
    /** Starting deployments and steering rollouts; may be limited to named envs. */
    DEPLOY,
    /** Tokens, the audit trail, and everything the others allow. */
    ADMIN;

    /** The scope's name as written in a grant: {@code read}, {@code push}, {@code deploy}, {@code admin}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a token holding this scope may use a route that needs {@code needed}. */
    boolean covers(Scope needed) {
        return this == needed || this == ADMIN || this == DEPLOY && needed == READ;
    }
}
