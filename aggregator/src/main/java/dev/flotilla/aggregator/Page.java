package dev.flotilla.aggregator;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.MultiMap;

/** Page number and size from a query string: {@code page} from 1, {@code pageSize} up to 500 (default 20, as Atlas). */
record Page(int page, int size) {
    static Page of(MultiMap q) {
        int page = intParam(q, "page", 1);
        int size = intParam(q, "pageSize", 20);
        if (page < 1 || size < 1 || size > 500) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "page must be >= 1 and pageSize between 1 and 500,"
                    + " got page=" + page + " pageSize=" + size);
        }
        return new Page(page, size);
    }

    private static int intParam(MultiMap q, String name, int dflt) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, name + " \"" + v + "\" is not a number");
        }
    }

    int offset() {
        return (page - 1) * size;
    }
}
