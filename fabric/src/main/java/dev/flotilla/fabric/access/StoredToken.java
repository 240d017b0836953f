package dev.flotilla.fabric.access;

import java.time.Instant;
import java.util.List;

/**
 * A token as the store keeps it: never the token itself, only its hash (not part of this record)
 * and a hint of its first characters.
 *
 * @param id the token's number, for {@code flotilla token revoke}
 * @param hint the token's first characters, e.g. {@code flt_AbCd…}
 * @param createdBy the name of the token that created it, or {@code bootstrap}
 * @param lastUsedAt when it last authenticated a request (to the minute); null if never
 * @param revokedAt when it was revoked; null while it is active
 */
public record StoredToken(long id, String name, List<Grant> grants, String hint, Instant createdAt, String createdBy,
        Instant lastUsedAt, Instant revokedAt) {
    public StoredToken {
        grants = List.copyOf(grants);
    }

    /** Whether it still authenticates requests. */
    public boolean active() {
        return revokedAt == null;
    }

    /** The principal requests made with this token act as. */
    Principal principal() {
        return new Principal(Long.toString(id), name, grants);
    }
}
