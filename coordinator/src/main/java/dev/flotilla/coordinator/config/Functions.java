package dev.flotilla.coordinator.config;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The functions of Atlas' project files that target groups use. Each checks its arguments and
 * throws {@link IllegalArgumentException} with a message that the evaluator prefixes with the
 * file, line and block.
 */
final class Functions {
    /** Name → {min args, max args, argument names}. */
    private static final Map<String, Signature> SIGNATURES = new TreeMap<>(Map.of(
            "contains", new Signature(2, 2, "list or string", "value"),
            "endswith", new Signature(2, 2, "string", "suffix"),
            "startswith", new Signature(2, 2, "string", "prefix"),
            "file", new Signature(1, 1, "path"),
            "getenv", new Signature(1, 1, "name"),
            "jsondecode", new Signature(1, 1, "json"),
            "toset", new Signature(1, 1, "list"),
            "urlqueryset", new Signature(3, 3, "url", "key", "value"),
            "urlsetpath", new Signature(2, 2, "url", "path"),
            "urluserinfo", new Signature(2, 3, "url", "user", "password")));

    private final Path baseDir;
    private final UnaryOperator<String> environment;

    /**
     * @param baseDir the directory {@code file()} paths are relative to
     * @param environment {@code getenv}'s source, normally {@link System#getenv(String)}
     */
    Functions(Path baseDir, UnaryOperator<String> environment) {
        this.baseDir = baseDir;
        this.environment = environment;
    }

    private static final class Signature {
        final int min;
        final int max;
        final List<String> params;

        Signature(int min, int max, String... params) {
            this.min = min;
            this.max = max;
            this.params = List.of(params);
        }

        String usage(String name) {
            return name + "(" + String.join(", ", params.subList(0, max)) + ")"
                    + (min < max ? " (" + params.get(max - 1) + " is optional)" : "");
        }
    }

    /** The functions' names, for messages: {@code contains(), endswith(), …}. */
    static String names() {
        return String.join("(), ", SIGNATURES.keySet()) + "()";
    }

    /** Checks the name and number of arguments before they are evaluated. */
    static void checkCall(String name, int argCount) {
        Signature sig = SIGNATURES.get(name);
        if (sig == null) {
            throw new IllegalArgumentException("unknown function " + name + "(); flotilla evaluates "
                    + names() + " — replace it, or compute the value outside"
                    + " atlas.hcl and pass it with --var");
        }
        if (argCount < sig.min || argCount > sig.max) {
            throw new IllegalArgumentException(name + "() takes " + (sig.min == sig.max ? "" + sig.min
                    : sig.min + " to " + sig.max) + " arguments, got " + argCount + "; write " + sig.usage(name));
        }
    }

    /** Calls a function whose arguments are all known. */
    Object call(String name, List<Object> args) {
        switch (name) {
            case "file":
                return file(string(name, args, 0));
            case "getenv":
                String v = environment.apply(string(name, args, 0));
                return v == null ? "" : v;
            case "jsondecode":
                return Json.parse(string(name, args, 0));
            case "toset":
                return toset(args.get(0));
            case "startswith":
                return string(name, args, 0).startsWith(string(name, args, 1));
            case "endswith":
                return string(name, args, 0).endsWith(string(name, args, 1));
            case "contains":
                return contains(args.get(0), args.get(1));
            case "urlqueryset":
                return GoUrl.parse(string(name, args, 0)).withQueryParameter(string(name, args, 1), string(name, args, 2))
                        .toString();
            case "urlsetpath":
                return GoUrl.parse(string(name, args, 0)).withPath(string(name, args, 1)).toString();
            case "urluserinfo":
                String password = args.size() > 2 && args.get(2) != null ? string(name, args, 2) : null;
                return GoUrl.parse(string(name, args, 0)).withUserinfo(string(name, args, 1), password).toString();
            default:
                throw new IllegalStateException("no implementation for " + name);
        }
    }

    /** An element of a list, or a substring of a string. */
    private static boolean contains(Object in, Object value) {
        if (in instanceof List<?> l) {
            return l.stream().anyMatch(i -> Objects.equals(i, value) || i instanceof BigDecimal a
                    && value instanceof BigDecimal b && a.compareTo(b) == 0);
        }
        if (in instanceof String str) {
            return str.contains(string("contains", List.of(in, value == null ? "" : value), 1));
        }
        throw new IllegalArgumentException("contains() needs a list or a string, got " + ValueText.type(in) + " "
                + ValueText.value(in));
    }

    private String file(String path) {
        Path p = baseDir.resolve(path).normalize();
        try {
            return Files.readString(p);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(p + " does not exist; file() paths are relative to the directory of the"
                    + " project file (" + baseDir + ")");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(p + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + p + ": " + e);
        }
    }

    /**
     * Like cty's set conversion: duplicates removed, strings in lexical order, numbers in numeric
     * order; a mix of strings and numbers becomes a set of strings.
     */
    private static List<Object> toset(Object value) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException("toset() needs a list, got " + ValueText.type(value) + " " + ValueText.value(value));
        }
        List<?> items = (List<?>) value;
        if (!items.isEmpty() && items.stream().allMatch(i -> i instanceof Map)) {
            return List.copyOf(new LinkedHashSet<>(items)); // rows of a data "sql" query with several columns
        }
        boolean allNumbers = items.stream().allMatch(i -> i instanceof BigDecimal);
        Set<Object> set = new LinkedHashSet<>();
        for (Object item : items) {
            if (!(item instanceof String || item instanceof BigDecimal || item instanceof Boolean)) {
                throw new IllegalArgumentException("toset() elements must be strings, numbers or bools, got "
                        + ValueText.type(item) + " " + ValueText.value(item));
            }
            set.add(allNumbers ? ((BigDecimal) item).stripTrailingZeros() : text(item));
        }
        List<Object> out = new ArrayList<>(set);
        if (allNumbers) {
            out.sort(Comparator.comparing(BigDecimal.class::cast));
        } else {
            out.sort(Comparator.comparing(String.class::cast));
        }
        return Collections.unmodifiableList(out);
    }

    private static String string(String function, List<Object> args, int index) {
        Object v = args.get(index);
        if (v instanceof String || v instanceof BigDecimal || v instanceof Boolean) {
            return text(v);
        }
        String param = SIGNATURES.get(function).params.get(index);
        throw new IllegalArgumentException(function + "() needs a string for " + param + ", got " + ValueText.type(v)
                + (v == null ? "" : " " + ValueText.value(v)));
    }

    /** A primitive as a string: numbers without exponent, bools as true/false. */
    static String text(Object v) {
        return v instanceof BigDecimal ? ValueText.number((BigDecimal) v) : String.valueOf(v);
    }
}
