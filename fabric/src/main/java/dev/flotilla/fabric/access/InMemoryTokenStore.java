package dev.flotilla.fabric.access;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link TokenStore} in memory, for tests and for a process without a store. Thread-safe. */
public final class InMemoryTokenStore implements TokenStore {
    private final Map<Long, StoredToken> tokens = new HashMap<>();
    private final Map<String, Long> byHash = new HashMap<>();
    private long next = 1;

    @Override
    public synchronized StoredToken create(String name, List<Grant> grants, String tokenHash, String hint,
            String createdBy) {
        if (tokens.values().stream().anyMatch(t -> t.active() && t.name().equals(name))) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "a token named \"" + name + "\" exists; revoke it"
                    + " first ('flotilla token revoke " + name + "') or choose another name");
        }
        StoredToken t = new StoredToken(next++, name, grants, hint, Instant.now(), createdBy, null, null);
        tokens.put(t.id(), t);
        byHash.put(tokenHash, t.id());
        return t;
    }

    @Override
    public synchronized boolean ensure(String name, List<Grant> grants, String tokenHash, String hint) {
        if (byHash.containsKey(tokenHash)) {
            return false;
        }
        create(name, grants, tokenHash, hint, "bootstrap");
        return true;
    }

    @Override
    public synchronized Optional<StoredToken> findActive(String tokenHash) {
        return Optional.ofNullable(byHash.get(tokenHash)).map(tokens::get).filter(StoredToken::active);
    }

    @Override
    public synchronized List<StoredToken> list() {
        List<StoredToken> out = new ArrayList<>(tokens.values());
        out.sort(Comparator.comparingLong(StoredToken::id).reversed());
        return out;
    }

    @Override
    public synchronized Optional<StoredToken> revoke(String idOrName) {
        Optional<StoredToken> t = tokens.values().stream().filter(StoredToken::active)
                .filter(x -> Long.toString(x.id()).equals(idOrName) || x.name().equals(idOrName)).findFirst();
        t.ifPresent(x -> tokens.put(x.id(), new StoredToken(x.id(), x.name(), x.grants(), x.hint(), x.createdAt(),
                x.createdBy(), x.lastUsedAt(), Instant.now())));
        return t.map(x -> tokens.get(x.id()));
    }

    @Override
    public synchronized void touch(long id, Instant when) {
        StoredToken x = tokens.get(id);
        if (x != null) {
            tokens.put(id, new StoredToken(x.id(), x.name(), x.grants(), x.hint(), x.createdAt(), x.createdBy(), when,
                    x.revokedAt()));
        }
    }
}
