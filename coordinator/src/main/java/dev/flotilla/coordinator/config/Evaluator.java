package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.migrate.FlotillaException;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Evaluates expressions of a project file. One evaluator is one evaluation: locals, variables
 * and data sources are computed once and cached, so a new evaluator (one per deployment) sees
 * fresh data-source results. Not thread-safe; create one per thread.
 */
final class Evaluator {
    /** What data sources do. */
    enum Mode {
        /** At load time: data sources are checked, not queried; their values are {@link KnownAtDeployment}. */
        CHECK,
        /** At deployment time: data sources are queried. */
        LIVE
    }

    private static final Object NO_EACH = new Object();

    /**
     * Where an expression is evaluated, for messages, and what {@code each} is.
     *
     * @param where the block, e.g. {@code env "prod"}
     * @param attribute e.g. {@code url}
     * @param each the current for_each element, {@link #NO_EACH} outside for_each
     * @param constant true for variable defaults, which cannot refer to anything
     * @param vars what {@code var.*} means inside a {@code deployment} block (the target's rollout
     *     vars); null elsewhere, where {@code var.*} are the project file's variables
     */
    record Scope(String where, String attribute, Object each, boolean constant, Map<String, Object> vars) {
        static Scope of(String where, String attribute) {
            return new Scope(where, attribute, NO_EACH, false, null);
        }

        /** For variable defaults: no references allowed. */
        static Scope constant(String where, String attribute) {
            return new Scope(where, attribute, NO_EACH, true, null);
        }

        /** Inside a deployment block, where {@code var.x} is the target's rollout var {@code x}. */
        static Scope deployment(String where, String attribute, Map<String, Object> vars) {
            return new Scope(where, attribute, NO_EACH, false, vars);
        }

        Scope withEach(Object value) {
            return new Scope(where, attribute, value, constant, vars);
        }

        String label() {
            return where + ": " + attribute;
        }
    }

    private final ProjectModel model;
    private final Mode mode;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, FlotillaException> failures = new HashMap<>();
    private final Deque<String> active = new ArrayDeque<>();
    private final Variables variables;
    private final DataSources data;

    Evaluator(ProjectModel model, Mode mode) {
        this.model = model;
        this.mode = mode;
        this.variables = new Variables(model, this);
        this.data = new DataSources(model, this);
    }

    Mode mode() {
        return mode;
    }

    /** The data source whose {@code values} {@code e} is ({@code data.sql.<name>.values}), else null. */
    String sqlValues(Expr e) {
        return data.valuesOf(e);
    }

    /** Runs a data source's query, giving each row to {@code row} as it is read (see {@code DataSources#stream}). */
    int streamSql(String name, java.util.function.Consumer<Object> row) {
        return data.stream(name, row);
    }

    /** @throws FlotillaException CONFIG_INVALID naming the file, line, block and the problem */
    Object eval(Expr e, Scope s) {
        if (e instanceof Expr.Literal) {
            return ((Expr.Literal) e).value();
        }
        if (e instanceof Expr.Template) {
            return template((Expr.Template) e, s);
        }
        if (e instanceof Expr.ListOf) {
            List<Object> out = new ArrayList<>();
            ((Expr.ListOf) e).items().forEach(i -> out.add(eval(i, s)));
            return out.contains(KnownAtDeployment.VALUE) ? KnownAtDeployment.VALUE : Collections.unmodifiableList(out);
        }
        if (e instanceof Expr.ObjectOf) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Expr.ObjectOf) e).fields().forEach((k, v) -> out.put(k, eval(v, s)));
            return out.containsValue(KnownAtDeployment.VALUE) ? KnownAtDeployment.VALUE : Collections.unmodifiableMap(out);
        }
        if (e instanceof Expr.Call) {
            return call((Expr.Call) e, s);
        }
        if (e instanceof Expr.Ref) {
            return ref((Expr.Ref) e, s);
        }
        if (e instanceof Expr.Binary b) {
            return binary(b, s);
        }
        if (e instanceof Expr.Not n) {
            Object v = eval(n.operand(), s);
            return v == KnownAtDeployment.VALUE ? v : !bool(n.operand(), v, s);
        }
        if (e instanceof Expr.TypeName) {
            throw error(e, s, "the type " + e.source() + " is only allowed as the type of a variable");
        }
        throw error(e, s, "flotilla does not evaluate " + ((Expr.Unsupported) e).what() + "; use literals, lists,"
                + " \"${…}\" templates, local./var./each./data.sql. references, the comparisons == != < <= > >=,"
                + " && || ! and the functions " + Functions.names());
    }

    /** Evaluates to a string; an {@link KnownAtDeployment} value is refused with {@code why}. */
    String string(Expr e, Scope s, String why) {
        Object v = eval(e, s);
        if (v == KnownAtDeployment.VALUE) {
            throw error(e, s, e.source() + " depends on a data source, but " + why);
        }
        if (!(v instanceof String)) {
            throw error(e, s, "must be a string, but " + e.source() + " is " + describe(v));
        }
        return (String) v;
    }

    private Object template(Expr.Template t, Scope s) {
        List<Expr> parts = t.parts().stream()
                .filter(p -> !(p instanceof Expr.Literal && "".equals(((Expr.Literal) p).value())))
                .collect(java.util.stream.Collectors.toList());
        if (parts.size() == 1 && !(parts.get(0) instanceof Expr.Literal)) {
            return eval(parts.get(0), s); // "${x}" is x itself, like in HCL
        }
        StringBuilder b = new StringBuilder();
        boolean unknown = false;
        for (Expr p : parts) {
            Object v = eval(p, s);
            if (v == KnownAtDeployment.VALUE) {
                unknown = true;
            } else if (v instanceof String || v instanceof BigDecimal || v instanceof Boolean) {
                b.append(Functions.text(v));
            } else {
                throw error(p, s, "cannot insert " + p.source() + " into a string: it is " + describe(v)
                        + (v instanceof List ? "; insert one element, e.g. " + p.source() + "[0]" : ""));
            }
        }
        return unknown ? KnownAtDeployment.VALUE : b.toString();
    }

    /** {@code ==}/{@code !=} on any values, ordering on numbers or strings, {@code &&}/{@code ||} on bools. */
    private Object binary(Expr.Binary b, Scope s) {
        Object l = eval(b.left(), s);
        if ("&&".equals(b.op()) || "||".equals(b.op())) {
            if (l != KnownAtDeployment.VALUE && bool(b.left(), l, s) == "||".equals(b.op())) {
                return l; // short-circuit, as HCL does
            }
            Object r = eval(b.right(), s);
            return l == KnownAtDeployment.VALUE || r == KnownAtDeployment.VALUE ? KnownAtDeployment.VALUE
                    : bool(b.right(), r, s);
        }
        Object r = eval(b.right(), s);
        if (l == KnownAtDeployment.VALUE || r == KnownAtDeployment.VALUE) {
            return KnownAtDeployment.VALUE;
        }
        switch (b.op()) {
            case "==":
                return equal(l, r);
            case "!=":
                return !equal(l, r);
            default:
                return order(b, l, r, s);
        }
    }

    private static boolean equal(Object l, Object r) {
        if (l instanceof BigDecimal a && r instanceof BigDecimal c) {
            return a.compareTo(c) == 0;
        }
        return java.util.Objects.equals(l, r);
    }

    private boolean order(Expr.Binary b, Object l, Object r, Scope s) {
        int c;
        if (l instanceof BigDecimal a && r instanceof BigDecimal d) {
            c = a.compareTo(d);
        } else if (l instanceof String a && r instanceof String d) {
            c = a.compareTo(d);
        } else {
            throw error(b, s, b.source() + " compares " + describe(l) + " with " + describe(r) + "; " + b.op()
                    + " needs two numbers or two strings");
        }
        switch (b.op()) {
            case "<":
                return c < 0;
            case "<=":
                return c <= 0;
            case ">":
                return c > 0;
            default:
                return c >= 0;
        }
    }

    private boolean bool(Expr e, Object v, Scope s) {
        if (!(v instanceof Boolean)) {
            throw error(e, s, e.source() + " must be true or false here, but it is " + describe(v));
        }
        return (Boolean) v;
    }

    private Object call(Expr.Call c, Scope s) {
        try {
            Functions.checkCall(c.name(), c.args().size());
        } catch (IllegalArgumentException e) {
            throw error(c, s, e.getMessage());
        }
        List<Object> args = new ArrayList<>();
        c.args().forEach(a -> args.add(eval(a, s)));
        if (args.contains(KnownAtDeployment.VALUE)) {
            return KnownAtDeployment.VALUE;
        }
        try {
            return model.functions().call(c.name(), args);
        } catch (IllegalArgumentException e) {
            throw error(c, s, c.source() + ": " + e.getMessage());
        }
    }

    private Object ref(Expr.Ref r, Scope s) {
        String root = String.valueOf(r.path().get(0));
        if (s.constant()) {
            throw error(r, s, "a variable default cannot refer to " + r.source() + "; give the value with --var or"
                    + " compute it in a locals block");
        }
        switch (root) {
            case "local":
                String local = name(r, s, "local.<name>");
                if (!model.locals().containsKey(local)) {
                    throw error(r, s, "unknown local " + ValueText.quote(local) + " (" + model.declared(model.locals())
                            + "); define it in a locals block: locals { " + local + " = … }");
                }
                return traverse(local(local), r, 2, s);
            case "var":
                if (s.vars() != null) {
                    return traverse(deploymentVar(r, s), r, 2, s);
                }
                return traverse(variables.get(name(r, s, "var.<name>"), r, s), r, 2, s);
            case "each":
                return each(r, s);
            case "data":
                return data.ref(r, s);
            default:
                throw error(r, s, "unknown reference " + r.source() + "; references start with local., var., each."
                        + " or data.sql." + ("atlas".equals(root) ? " (atlas.* is not supported by flotilla)" : ""));
        }
    }

    private Object deploymentVar(Expr.Ref r, Scope s) {
        String name = name(r, s, "var.<name>");
        if (!s.vars().containsKey(name)) {
            throw error(r, s, "unknown variable " + ValueText.quote(name) + "; this deployment has " + (s.vars().isEmpty()
                    ? "no variables" : s.vars().keySet()) + ": declare it with variable \"" + name + "\" { type ="
                    + " string } and give it in the env's rollout { vars = { " + name + " = … } }");
        }
        return s.vars().get(name);
    }

    private String name(Expr.Ref r, Scope s, String form) {
        if (r.path().size() < 2 || !(r.path().get(1) instanceof String)) {
            throw error(r, s, r.source() + " needs a name; write " + form);
        }
        return (String) r.path().get(1);
    }

    private Object each(Expr.Ref r, Scope s) {
        if (s.each() == NO_EACH) {
            throw error(r, s, r.source() + " is only available in the url of an env block with for_each; add"
                    + " for_each = toset(…) to the env, or use a fixed value here");
        }
        Object attribute = r.path().size() > 1 ? r.path().get(1) : null;
        if (!"value".equals(attribute) && !"key".equals(attribute)) {
            throw error(r, s, "each has only each.value and each.key (the same for a set); write each.value");
        }
        return traverse(s.each(), r, 2, s);
    }

    /** The value of a local, computed once. */
    Object local(String name) {
        Attribute a = model.locals().get(name);
        return once("local." + name, a.line(), "locals: " + name, () -> eval(a.value(), Scope.of("locals", name)));
    }

    /** The value of a declared variable: its --var, else its default. */
    Object variable(String name) {
        return variables.get(name, null, Scope.of("variable", name));
    }

    /** Checks a data "sql" block (CHECK) or runs its query (LIVE). */
    Object sqlSource(String name) {
        return data.sql(name);
    }

    /** Follows {@code .name} and {@code [index]} steps of a reference from {@code from} on. */
    Object traverse(Object value, Expr.Ref r, int from, Scope s) {
        Object v = value;
        for (int i = from; i < r.path().size(); i++) {
            if (v == KnownAtDeployment.VALUE) {
                return v;
            }
            Object step = r.path().get(i);
            if (step instanceof String && v instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) v;
                if (!m.containsKey(step)) {
                    throw error(r, s, r.prefix(i) + " has no attribute " + step + "; it has " + m.keySet());
                }
                v = m.get(step);
            } else if (step instanceof Integer && v instanceof List) {
                List<?> l = (List<?>) v;
                int index = (Integer) step;
                if (index < 0 || index >= l.size()) {
                    throw error(r, s, "index " + index + " is out of range: " + r.prefix(i) + " has " + l.size()
                            + " elements");
                }
                v = l.get(index);
            } else {
                throw error(r, s, "cannot use " + (step instanceof Integer ? "[" + step + "]" : "." + step) + " on "
                        + r.prefix(i) + ", which is " + describe(v));
            }
        }
        return v;
    }

    /**
     * Computes a named value once per evaluator; a failure is remembered so it is reported once,
     * and a value that needs itself is reported as a cycle.
     */
    Object once(String key, int line, String label, Supplier<Object> compute) {
        if (values.containsKey(key)) {
            return values.get(key);
        }
        if (failures.containsKey(key)) {
            throw failures.get(key);
        }
        if (active.contains(key)) {
            List<String> chain = new ArrayList<>();
            for (Iterator<String> it = active.descendingIterator(); it.hasNext();) {
                chain.add(it.next());
            }
            chain.add(key);
            throw model.file().invalid(line, label, "refers to itself: " + String.join(" → ", chain)
                    + "; break the cycle");
        }
        active.push(key);
        try {
            Object v = compute.get();
            values.put(key, v);
            return v;
        } catch (FlotillaException e) {
            failures.put(key, e);
            throw e;
        } finally {
            active.pop();
        }
    }

    FlotillaException error(Expr e, Scope s, String problem) {
        return model.file().invalid(e.line(), s.label(), problem);
    }

    /** "a string \"x\"", "a list [\"a\"]", "null". */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String type = ValueText.type(v);
        return ("object".equals(type) ? "an " : "a ") + type + " " + ValueText.value(v);
    }
}
