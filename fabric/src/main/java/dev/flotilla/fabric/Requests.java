package dev.flotilla.fabric;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads what a request carries, refusing what does not fit with a 400 that names the field, the
 * value and what it should be, never a 500.
 */
public final class Requests {
    private Requests() {
    }

    /** The body as a JSON object; only known {@code fields} may appear. */
    public static JsonObject jsonBody(RoutingContext ctx, Set<String> fields) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw invalid("the request body is empty; send a JSON object with " + fields);
        }
        Object parsed;
        try {
            parsed = io.vertx.core.json.Json.decodeValue(text);
        } catch (DecodeException e) {
            throw invalid("the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(parsed instanceof JsonObject o)) {
            throw invalid("the request body must be a JSON object with " + fields + ", not " + kind(parsed));
        }
        for (String f : o.fieldNames()) {
            if (!fields.contains(f)) {
                throw invalid("unknown field \"" + f + "\"; this request takes " + new TreeSet<>(fields));
            }
        }
        return o;
    }

    /** A string field; null when absent or null. */
    public static String string(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (v != null && !(v instanceof String)) {
            throw invalid("field \"" + field + "\" must be a string, not " + kind(v));
        }
        return (String) v;
    }

    /** A string field that must be present. */
    public static String requiredString(JsonObject o, String field) {
        String v = string(o, field);
        if (v == null || v.isBlank()) {
            throw invalid("field \"" + field + "\" is required");
        }
        return v;
    }

    /** A boolean field; {@code absent} when absent or null. */
    public static boolean bool(JsonObject o, String field, boolean absent) {
        Object v = o.getValue(field);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Boolean)) {
            throw invalid("field \"" + field + "\" must be true or false, not " + kind(v));
        }
        return (Boolean) v;
    }

    /** A query parameter that must be one of {@code allowed} (any case; answered in upper case), or null. */
    public static String oneOf(RoutingContext ctx, String param, Collection<String> allowed) {
        String v = ctx.queryParams().get(param);
        if (v == null || v.isEmpty()) {
            return null;
        }
        String up = v.toUpperCase(Locale.ROOT);
        if (!allowed.contains(up)) {
            throw invalid("query parameter \"" + param + "\" is \"" + v + "\"; it must be one of "
                    + String.join(", ", new TreeSet<>(allowed)));
        }
        return up;
    }

    /** A whole-number query parameter within {@code [min, max]}, or {@code absent}. */
    public static int intParam(RoutingContext ctx, String param, int absent, int min, int max) {
        String v = ctx.queryParams().get(param);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw invalid("query parameter \"" + param + "\" is \"" + v + "\"; it must be a whole number from " + min
                + " to " + max);
    }

    /** A 400 with this message. */
    public static FlotillaException invalid(String message) {
        return new FlotillaException(ErrorCode.REQUEST_INVALID, message);
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "a number";
        }
        return v instanceof JsonObject ? "an object" : "an array";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.split("\n", 2)[0];
    }
}
