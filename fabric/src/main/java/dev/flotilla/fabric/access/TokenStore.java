package dev.flotilla.fabric.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where API tokens are kept: by the SHA-256 of the token, never the token. */
public interface TokenStore {
    /**
     * Stores a new token.
     *
     * @throws dev.flotilla.migrate.FlotillaException CONFIG_INVALID when an active token has that name
     */
    StoredToken create(String name, List<Grant> grants, String tokenHash, String hint, String createdBy);

    /** Stores the token unless one with this hash exists (the environment's bootstrap token); whether it did. */
    boolean ensure(String name, List<Grant> grants, String tokenHash, String hint);

    /** The active token with this hash. */
    Optional<StoredToken> findActive(String tokenHash);

    /** Every token, active and revoked, newest first. */
    List<StoredToken> list();

    /** Revokes the active token with this number or name; the token as it is now, or empty if none. */
    Optional<StoredToken> revoke(String idOrName);

    /** Records that the token authenticated a request at {@code when}. */
    void touch(long id, Instant when);
}
