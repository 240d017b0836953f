package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.migrate.FlotillaException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Checks the elements of a {@code for_each}: they become target names and, through
 * {@code each.value}, database, schema and file names, so only letters, digits and
 * {@code _ . $ -} are accepted.
 */
final class TenantNames {
    /** The characters a tenant name may contain. */
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.$-]+");
    /** PostgreSQL cuts identifiers at 63 bytes (MySQL at 64), which could make two tenants collide. */
    static final int MAX_LENGTH = 63;

    private TenantNames() {
    }

    /**
     * One element of a for_each: the target's name and what {@code each.value} is for it (the
     * name itself, or the whole row of a {@code data "sql"} query with several columns).
     */
    record Tenant(String name, Object each) {
    }

    /**
     * The elements of the for_each value, in order. An element that is an object (a row of a
     * multi-column query) is named by its {@code name} attribute.
     *
     * @throws FlotillaException CONFIG_INVALID naming the bad value and the fix
     */
    static List<Tenant> of(Object value, Attribute forEach, SourceFile file, String where) {
        if (!(value instanceof List)) {
            throw file.invalid(forEach.line(), where + ": for_each", "must be a list or set of tenant names, but "
                    + forEach.value().source() + " is " + Evaluator.describe(value) + "; write for_each ="
                    + " toset([\"tenant_1\", \"tenant_2\"]) or for_each = toset(local.<list>)");
        }
        List<?> items = (List<?>) value;
        List<Tenant> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Tenant t = tenant(items.get(i), i + 1, forEach, file, where);
            Integer first = seen.putIfAbsent(t.name(), i + 1);
            if (first != null) {
                throw file.invalid(forEach.line(), where + ": for_each", "tenant name " + ValueText.quote(t.name())
                        + " appears twice (elements " + first + " and " + (i + 1) + "); remove the duplicate or wrap"
                        + " the list in toset(…)");
            }
            names.add(t);
        }
        return names;
    }

    /**
     * The for_each value's elements one at a time, without the check for a name given twice (a
     * stream's receiver finds those).
     *
     * @throws FlotillaException CONFIG_INVALID as {@link #of}
     */
    static void each(Object value, Attribute forEach, SourceFile file, String where, Consumer<Tenant> each) {
        if (!(value instanceof List)) {
            of(value, forEach, file, where); // throws the message for a value that is not a list
        }
        List<?> items = (List<?>) value;
        for (int i = 0; i < items.size(); i++) {
            each.accept(tenant(items.get(i), i + 1, forEach, file, where));
        }
    }

    /** One element, checked: its name (its {@code name} attribute for a row) and its {@code each.value}. */
    static Tenant tenant(Object item, int position, Attribute forEach, SourceFile file, String where) {
        String name = name(item instanceof Map<?, ?> row ? nameOf(row, position, forEach, file, where) : item, position,
                forEach, file, where);
        return new Tenant(name, item instanceof Map ? item : name);
    }

    private static Object nameOf(Map<?, ?> row, int position, Attribute forEach, SourceFile file, String where) {
        if (!row.containsKey("name")) {
            throw file.invalid(forEach.line(), where + ": for_each", "element " + position + " is an object without a"
                    + " name attribute (" + row.keySet() + "); a row becomes a target named by its name column:"
                    + " SELECT name, … in the data \"sql\" query");
        }
        return row.get("name");
    }

    private static String name(Object item, int position, Attribute forEach, SourceFile file, String where) {
        String at = where + ": for_each";
        if (!(item instanceof String || item instanceof BigDecimal)) {
            throw file.invalid(forEach.line(), at, "element " + position + " is " + Evaluator.describe(item)
                    + ", not a tenant name; for_each needs a list of strings");
        }
        String name = Functions.text(item);
        String problem = problem(name);
        if (problem != null) {
            throw file.invalid(forEach.line(), at, "tenant name " + ValueText.quote(name) + " (element " + position + ") "
                    + problem + "; tenant names become database, schema and file names, so they may only contain"
                    + " letters, digits and _ . $ - — rename the tenant or filter it out of the list");
        }
        return name;
    }

    /** Why the name is refused, or null when it is fine. */
    static String problem(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        if (".".equals(name) || "..".equals(name)) {
            return "is a path component";
        }
        if (name.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters, where PostgreSQL cuts names";
        }
        if (!VALID.matcher(name).matches()) {
            int bad = name.codePoints().filter(c -> !VALID.matcher(new String(Character.toChars(c))).matches())
                    .findFirst().orElse('?');
            return "contains " + ValueText.quote(new String(Character.toChars(bad))) + ", which is not allowed";
        }
        return null;
    }
}
