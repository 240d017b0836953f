package dev.flotilla.fabric.access;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One scope a token holds, optionally limited to named objects: {@code push:db-per-tenant} may push
 * only that directory, {@code deploy:staging,qa} may deploy only to those envs. Written and parsed
 * as {@code scope[:name,name…]}.
 *
 * @param scope what it allows
 * @param limitedTo the directories ({@code push}) or envs ({@code deploy}) it is limited to; empty
 *     for all
 */
public record Grant(Scope scope, List<String> limitedTo) {
    public Grant {
        limitedTo = List.copyOf(limitedTo);
    }

    /** Parses {@code push:app,billing}; names only go with push and deploy. */
    public static Grant parse(String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.indexOf(':');
        String word = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
        Scope scope;
        try {
            scope = Scope.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "unknown scope \"" + text + "\"; scopes are read,"
                    + " push[:DIR,…], deploy[:ENV,…] and admin");
        }
        if (colon < 0) {
            return new Grant(scope, List.of());
        }
        if (scope != Scope.PUSH && scope != Scope.DEPLOY) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "scope \"" + text + "\": only push (directories)"
                    + " and deploy (envs) can be limited to names");
        }
        List<String> names = new ArrayList<>();
        for (String n : Arrays.asList(t.substring(colon + 1).split(","))) {
            String name = n.trim();
            if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "scope \"" + text + "\": \"" + name
                        + "\" is not a directory or env name (letters, digits, '.', '_' and '-')");
            }
            names.add(name);
        }
        return new Grant(scope, names);
    }

    /** Whether this grant allows {@code needed} on {@code name} (null: the route names no object). */
    boolean allows(Scope needed, String name) {
        if (!scope.covers(needed)) {
            return false;
        }
        return limitedTo.isEmpty() || needed != scope || name == null || limitedTo.contains(name);
    }

    @Override
    public String toString() {
        return limitedTo.isEmpty() ? scope.word() : scope.word() + ":" + String.join(",", limitedTo);
    }
}
