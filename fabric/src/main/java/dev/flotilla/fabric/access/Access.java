package dev.flotilla.fabric.access;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who a token belongs to, and the trail of what tokens did. A verified token is remembered for a
 * few seconds so that a busy client costs the store one lookup per {@link #REMEMBER}, not one per
 * request; a revoked token therefore stops working within that time. Its last use is written at
 * most once a minute.
 */
public final class Access {
    /** How long a verified token is taken on trust before the store is asked again. */
    public static final Duration REMEMBER = Duration.ofSeconds(5);
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final TokenStore tokens;
    private final AuditTrail audit;
    private final Clock clock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Map<Long, Instant> touched = new ConcurrentHashMap<>();

    private record Known(Principal principal, Instant until) {
    }

    public Access(TokenStore tokens, AuditTrail audit, Clock clock) {
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    public TokenStore tokens() {
        return tokens;
    }

    public AuditTrail audit() {
        return audit;
    }

    /** The principal of a token verified within {@link #REMEMBER}, without asking the store. */
    public Optional<Principal> remembered(String token) {
        Known k = known.get(Tokens.hash(token));
        return k != null && k.until().isAfter(clock.instant()) ? Optional.of(k.principal()) : Optional.empty();
    }

    /**
     * The principal a token acts as; asks the store (blocking: call it off the event loop).
     *
     * @throws FlotillaException UNAUTHENTICATED when the token is malformed, unknown or revoked
     */
    public Principal authenticate(String token) {
        if (!Tokens.wellFormed(token)) {
            throw new FlotillaException(ErrorCode.UNAUTHENTICATED, "the token is not a Flotilla token (flt_…);"
                    + " pass one with --token or FLOTILLA_TOKEN");
        }
        String hash = Tokens.hash(token);
        StoredToken t = tokens.findActive(hash).orElseThrow(() -> new FlotillaException(ErrorCode.UNAUTHENTICATED,
                "token " + Tokens.hint(token) + " is unknown or revoked; create one with 'flotilla token create'"));
        Instant now = clock.instant();
        known.put(hash, new Known(t.principal(), now.plus(REMEMBER)));
        Instant last = touched.get(t.id());
        if (last == null || last.plus(TOUCH_EVERY).isBefore(now)) {
            touched.put(t.id(), now);
            tokens.touch(t.id(), now);
        }
        return t.principal();
    }

    /** Creates a token and returns it with the only copy of its text. */
    public Created create(String name, List<Grant> grants, String createdBy) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, "token name \"" + name + "\" must be 1 to 64"
                    + " letters, digits, '.', '_' or '-'");
        }
        if (grants.isEmpty()) {
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, "token \"" + name + "\" needs at least one scope:"
                    + " read, push[:DIR,…], deploy[:ENV,…] or admin");
        }
        String text = Tokens.generate();
        return new Created(tokens.create(name, grants, Tokens.hash(text), Tokens.hint(text), createdBy), text);
    }

    /** Revokes a token by number or name and forgets what was remembered of it at once. */
    public Optional<StoredToken> revoke(String idOrName) {
        Optional<StoredToken> t = tokens.revoke(idOrName);
        t.ifPresent(x -> known.values().removeIf(k -> k.principal().tokenId().equals(Long.toString(x.id()))));
        return t;
    }

    /**
     * A token just created.
     *
     * @param text the token itself: shown once, stored nowhere
     */
    public record Created(StoredToken token, String text) {
    }
}
