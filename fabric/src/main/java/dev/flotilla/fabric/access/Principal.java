package dev.flotilla.fabric.access;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Who made a request: the token it carried, by id and name (the name is what the audit trail
 * records as the actor), and what the token may do.
 */
public record Principal(String tokenId, String name, List<Grant> grants) {
    public Principal {
        grants = List.copyOf(grants);
    }

    /** Whether some grant allows {@code needed}, on {@code name} when the request names an object. */
    public boolean allows(Scope needed, String name) {
        return grants.stream().anyMatch(g -> g.allows(needed, name));
    }

    /**
     * Checks the request's object against the token's limits.
     *
     * @param kind what {@code name} is, for the message: "directory", "env"
     * @throws FlotillaException FORBIDDEN, naming the token, the object and the grants it has
     */
    public void require(Scope needed, String kind, String name) {
        if (!allows(needed, name)) {
            throw new FlotillaException(ErrorCode.FORBIDDEN, "token \"" + this.name + "\" may not " + needed.word()
                    + (name == null ? "" : " " + kind + " \"" + name + "\"") + "; it holds " + grantsText()
                    + "; create a token with --scope " + needed.word() + (name == null ? "" : ":" + name));
        }
    }

    /** The grants as written: {@code push:app, read}. */
    public String grantsText() {
        return grants.isEmpty() ? "no scope" : grants.stream().map(Grant::toString).collect(Collectors.joining(", "));
    }
}
