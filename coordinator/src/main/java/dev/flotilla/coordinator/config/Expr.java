package dev.flotilla.coordinator.config;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An expression of the HCL subset flotilla evaluates, converted from hcl4j's symbols by
 * {@link HclSyntax}. {@link #source()} gives it back roughly as written, for messages.
 */
sealed interface Expr permits Expr.Literal, Expr.Template, Expr.ListOf, Expr.ObjectOf, Expr.Call, Expr.Ref,
        Expr.TypeName, Expr.Binary, Expr.Not, Expr.Unsupported {

    /** 1-based line, 0 when unknown. */
    int line();

    /** The expression roughly as written. */
    String source();

    /** A string ({@link String}), number ({@link BigDecimal}), bool ({@link Boolean}) or {@code null}. */
    record Literal(Object value, int line) implements Expr {
        @Override
        public String source() {
            return ValueText.value(value);
        }
    }

    /** {@code "sqlite://${each.value}.db"}: literal strings and interpolated expressions. */
    record Template(List<Expr> parts, int line) implements Expr {
        public Template {
            parts = List.copyOf(parts);
        }

        @Override
        public String source() {
            StringBuilder b = new StringBuilder("\"");
            for (Expr p : parts) {
                if (p instanceof Literal && ((Literal) p).value() instanceof String) {
                    b.append((String) ((Literal) p).value());
                } else {
                    b.append("${").append(p.source()).append('}');
                }
            }
            return b.append('"').toString();
        }
    }

    /** {@code ["a", "b"]}. */
    record ListOf(List<Expr> items, int line) implements Expr {
        public ListOf {
            items = List.copyOf(items);
        }

        @Override
        public String source() {
            return items.stream().map(Expr::source).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** {@code { key = value }}. */
    record ObjectOf(Map<String, Expr> fields, int line) implements Expr {
        public ObjectOf {
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        }

        @Override
        public String source() {
            return fields.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue().source())
                    .collect(Collectors.joining(", ", "{", "}"));
        }
    }

    /** {@code name(arg, …)}. */
    record Call(String name, List<Expr> args, int line) implements Expr {
        public Call {
            args = List.copyOf(args);
        }

        @Override
        public String source() {
            return args.stream().map(Expr::source).collect(Collectors.joining(", ", name + "(", ")"));
        }
    }

    /**
     * A reference such as {@code local.tenant}, {@code each.value}, {@code data.sql.tenants.values}
     * or {@code local.list[0]}: names ({@link String}) and indexes ({@link Integer}).
     */
    record Ref(List<Object> path, int line) implements Expr {
        public Ref {
            path = List.copyOf(path);
        }

        /** The reference up to (excluding) step {@code end}, e.g. {@code data.sql.tenants}. */
        String prefix(int end) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < Math.min(end, path.size()); i++) {
                Object step = path.get(i);
                if (step instanceof Integer) {
                    b.append('[').append(step).append(']');
                } else {
                    b.append(i == 0 ? "" : ".").append(step);
                }
            }
            return b.toString();
        }

        @Override
        public String source() {
            return prefix(path.size());
        }
    }

    /** A type constraint of a {@code variable} block: {@code string}, {@code list(string)}. */
    record TypeName(String name, int line) implements Expr {
        @Override
        public String source() {
            return name;
        }
    }

    /** {@code a == b}, {@code a && b}, …: a comparison or a logical operator between two expressions. */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {
        @Override
        public String source() {
            return left.source() + " " + op + " " + right.source();
        }
    }

    /** {@code !a}. */
    record Not(Expr operand, int line) implements Expr {
        @Override
        public String source() {
            return "!" + operand.source();
        }
    }

    /** Syntax flotilla does not evaluate (operators, conditionals, for expressions, …). */
    record Unsupported(String what, int line) implements Expr {
        @Override
        public String source() {
            return "(" + what + ")";
        }
    }
}
