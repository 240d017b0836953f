package dev.flotilla.aggregator;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Page number and size from a query string: {@code page} from 1, {@code pageSize} up to 500
 * (default 20, as Atlas), and optionally {@code after}, the cursor of the previous page's last row
 * (from its {@code next} link), which lists may use to continue without counting rows up to the page.
 *
 * @param page the page number, from 1
 * @param size rows per page
 * @param after the cursor, or null
 */
record Page(int page, int size, String after) {
    Page(int page, int size) {
        this(page, size, null);
    }

    static Page of(MultiMap q) {
        int page = intParam(q, "page", 1);
        int size = intParam(q, "pageSize", 20);
        if (page < 1 || size < 1 || size > 500) {
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, "page must be >= 1 and pageSize between 1 and 500,"
                    + " got page=" + page + " pageSize=" + size);
        }
        String after = q.get("after");
        Page p = new Page(page, size, after == null || after.isEmpty() ? null : after);
        if (p.after != null) {
            p.afterKey();
        }
        return p;
    }

    private static int intParam(MultiMap q, String name, int dflt) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, name + " \"" + v + "\" is not a number");
        }
    }

    int offset() {
        return (page - 1) * size;
    }

    /** The (env, name, seq) key of the row the cursor names. */
    List<Object> afterKey() {
        try {
            JsonArray a = new JsonArray(new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8));
            if (a.size() == 3 && a.getValue(0) instanceof String && a.getValue(1) instanceof String
                    && a.getValue(2) instanceof Number) {
                return List.of(a.getString(0), a.getString(1), a.getLong(2));
            }
        } catch (IllegalArgumentException | DecodeException e) {
            // reported below
        }
        throw new FlotillaException(ErrorCode.REQUEST_INVALID, "after \"" + after + "\" is not a cursor this API"
                + " handed out; follow page.next of the previous page, or use page alone");
    }

    /** The query string of the next page: the filters given, the next page number, and the cursor after a row. */
    String next(Map<String, String> filters, String env, String name, long seq) {
        StringJoiner q = new StringJoiner("&");
        filters.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(new JsonArray().add(env).add(name)
                .add(seq).encode().getBytes(StandardCharsets.UTF_8));
        return q.add("page=" + (page + 1)).add("pageSize=" + size).add("after=" + cursor).toString();
    }
}
