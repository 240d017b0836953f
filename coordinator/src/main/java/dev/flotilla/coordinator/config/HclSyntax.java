package dev.flotilla.coordinator.config;

import com.bertramlabs.plugins.hcl4j.HCLParserException;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.ComputedObject;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.ComputedTuple;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Function;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.GroupedExpression;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Operator;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.PrimitiveType;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.StringInterpolatedExpression;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.Variable;
import com.bertramlabs.plugins.hcl4j.RuntimeSymbols.VariableTree;
import com.bertramlabs.plugins.hcl4j.symbols.HCLArray;
import com.bertramlabs.plugins.hcl4j.symbols.HCLAttribute;
import com.bertramlabs.plugins.hcl4j.symbols.HCLBlock;
import com.bertramlabs.plugins.hcl4j.symbols.HCLMap;
import com.bertramlabs.plugins.hcl4j.symbols.HCLValue;
import com.bertramlabs.plugins.hcl4j.symbols.Symbol;
import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads an HCL file into {@link Block}s and {@link Expr}s using hcl4j's lexer.
 *
 * <p>hcl4j's public {@code HCLParser.parse} evaluates while it parses and loses what flotilla
 * needs: {@code "sqlite://${each.value}.db"} comes back as the text {@code sqlite://each.value.db},
 * and a function call with an unresolved argument or an unknown function as {@code null}. Its
 * lexer, however, builds a faithful symbol tree; that class is package-private, so it is reached
 * by reflection here. This is written against hcl4j 0.9.4 (pinned in the parent POM); a change
 * of its internals fails every load with {@link ErrorCode#INTERNAL}, which the tests catch.
 */
final class HclSyntax {
    private static final String LEXER = "com.bertramlabs.plugins.hcl4j.HCLLexer";

    private final SourceFile file;
    private final ConfigErrors errors;

    private HclSyntax(SourceFile file, ConfigErrors errors) {
        this.file = file;
        this.errors = errors;
    }

    /**
     * Parses the file's top-level blocks. Structural errors (unclosed braces, strings, illegal
     * characters) are thrown at once; duplicate attributes and top-level attributes are recorded in
     * {@code errors}.
     */
    static List<Block> parse(String text, SourceFile file, ConfigErrors errors) {
        BraceCheck.check(text, file);
        HclSyntax syntax = new HclSyntax(file, errors);
        List<Block> blocks = new ArrayList<>();
        for (Symbol s : lex(text, file)) {
            if (s instanceof HCLBlock) {
                blocks.add(syntax.block((HCLBlock) s));
            } else {
                errors.add(line(s), "syntax", "attribute " + s.getName() + " is outside any block; Atlas project files"
                        + " only have blocks at the top level (env, locals, variable, data, …)");
            }
        }
        return blocks;
    }

    /** What hcl4j's lexer prints on stdout for every operator it meets; nobody wants it in the CLI's output. */
    private static final java.util.regex.Pattern LEXER_NOISE = java.util.regex.Pattern.compile(
            "(Conditional|Operation) Matched:.*");

    /** A call that may throw what reflection throws. */
    private interface Reflective {
        void run() throws ReflectiveOperationException;
    }

    /**
     * Runs the lexer with stdout filtered: its debug lines are dropped, anything else another
     * thread prints meanwhile still goes out.
     */
    private static synchronized void quietly(Reflective lexing) throws ReflectiveOperationException {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                if (line == null || !LEXER_NOISE.matcher(line).matches()) {
                    super.println(line);
                }
            }
        });
        try {
            lexing.run();
        } finally {
            System.setOut(out);
        }
    }

    private static List<Symbol> lex(String text, SourceFile file) {
        try {
            Class<?> type = Class.forName(LEXER);
            Constructor<?> constructor = type.getDeclaredConstructor(Reader.class);
            Method yylex = type.getDeclaredMethod("yylex");
            Field elementStack = type.getDeclaredField("elementStack");
            constructor.setAccessible(true);
            yylex.setAccessible(true);
            elementStack.setAccessible(true);
            Object lexer = constructor.newInstance(new StringReader(text));
            quietly(() -> yylex.invoke(lexer));
            List<?> roots = (List<?>) elementStack.get(lexer);
            return roots.stream().map(Symbol.class::cast).collect(Collectors.toList());
        } catch (InvocationTargetException e) {
            throw syntaxError(file, e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new FlotillaException(ErrorCode.INTERNAL, "cannot use hcl4j's lexer (" + e
                    + "); flotilla-coordinator is written for com.bertramlabs.plugins:hcl4j 0.9.4, check that this"
                    + " version is on the classpath", e);
        }
    }

    private static RuntimeException syntaxError(SourceFile file, Throwable cause) {
        // The generated lexer throws java.lang.Error for scanner failures (JFlex zzScanError).
        if (cause instanceof HCLParserException || cause instanceof IOException || cause.getClass() == Error.class) {
            return file.invalid(0, "syntax", "hcl4j cannot read the file: " + cause.getMessage()
                    + "; fix the HCL syntax at that position");
        }
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        return new FlotillaException(ErrorCode.INTERNAL, "hcl4j failed reading " + file.name() + ": " + cause, cause);
    }

    private Block block(HCLBlock b) {
        List<String> names = b.blockNames == null ? List.of() : b.blockNames;
        String type = names.isEmpty() ? b.getName() : names.get(0);
        List<String> labels = names.size() > 1 ? names.subList(1, names.size()) : List.of();
        List<Attribute> attributes = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Symbol child : b.getChildren()) {
            if (child instanceof HCLBlock) {
                blocks.add(block((HCLBlock) child));
            } else if (child instanceof HCLAttribute) {
                Attribute a = new Attribute(child.getName(), value(child), line(child));
                Integer first = seen.putIfAbsent(a.name(), a.line());
                if (first != null) {
                    errors.add(a.line(), describe(type, labels), a.name() + " is set twice (lines " + first + " and "
                            + a.line() + "); keep one of them");
                }
                attributes.add(a);
            }
        }
        return new Block(type, labels, attributes, blocks, line(b));
    }

    private static String describe(String type, List<String> labels) {
        return new Block(type, labels, List.of(), List.of(), 0).describe();
    }

    /** The value of an attribute: its only child, or an object literal given as a nested block. */
    private Expr value(Symbol attribute) {
        List<Symbol> children = attribute.getChildren();
        if (children.size() == 1 && children.get(0) instanceof HCLBlock) {
            return object(children.get(0));
        }
        return single(children, attribute);
    }

    private Expr single(List<Symbol> children, Symbol owner) {
        if (children.isEmpty()) {
            return new Expr.Unsupported("no value after '='", line(owner));
        }
        if (children.size() > 1) {
            return new Operators(children, line(owner)).parse();
        }
        return expr(children.get(0));
    }

    /**
     * The flat run of operands and operators hcl4j gives for {@code a == b && !c}, read with HCL's
     * precedence: {@code !} binds tightest, then comparisons, then {@code ==}/{@code !=}, then
     * {@code &&}, then {@code ||}. Arithmetic and conditional operators are not evaluated.
     */
    private final class Operators {
        private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"), List.of("==", "!="),
                List.of("<", "<=", ">", ">="));
        private final List<Symbol> items;
        private final int line;
        private int at;

        Operators(List<Symbol> items, int line) {
            this.items = items;
            this.line = line;
        }

        Expr parse() {
            Expr e = level(0);
            if (at < items.size()) {
                return unsupported(items.get(at));
            }
            return e;
        }

        private Expr level(int n) {
            if (n == LEVELS.size()) {
                return unary();
            }
            Expr left = level(n + 1);
            while (at < items.size() && items.get(at) instanceof Operator op && LEVELS.get(n).contains(op.getName())) {
                at++;
                left = new Expr.Binary(op.getName(), left, level(n + 1), line);
            }
            return left;
        }

        private Expr unary() {
            if (at >= items.size()) {
                return new Expr.Unsupported("an operator with nothing after it", line);
            }
            Symbol s = items.get(at++);
            if (s instanceof Operator op) {
                return "!".equals(op.getName()) ? new Expr.Not(unary(), line) : unsupported(s);
            }
            return expr(s);
        }

        private Expr unsupported(Symbol s) {
            at = items.size();
            return new Expr.Unsupported(s instanceof Operator ? "the operator " + s.getName() : "this expression", line);
        }
    }

    private Expr expr(Symbol s) {
        int line = line(s);
        if (s instanceof HCLValue) {
            return literal((HCLValue) s);
        }
        if (s instanceof StringInterpolatedExpression) {
            return template(s);
        }
        if (s instanceof HCLArray) {
            return hasOperator(s) ? new Expr.Unsupported("operators inside a list", line)
                    : new Expr.ListOf(exprs(s.getChildren()), line);
        }
        if (s instanceof HCLBlock || s instanceof HCLMap) {
            return object(s);
        }
        if (s instanceof PrimitiveType) {
            return new Expr.TypeName(typeName(s), line);
        }
        if (s instanceof VariableTree || s instanceof Variable) {
            return ref(s);
        }
        if (s instanceof Function) {
            return hasOperator(s) ? new Expr.Unsupported("operators inside a function call", line)
                    : new Expr.Call(s.getName(), exprs(s.getChildren()), line);
        }
        if (s instanceof GroupedExpression) {
            return single(s.getChildren(), s);
        }
        if (s instanceof ComputedTuple || s instanceof ComputedObject) {
            return new Expr.Unsupported("for expressions", line);
        }
        if (s instanceof Operator) {
            return new Expr.Unsupported("the operator " + s.getName(), line);
        }
        return new Expr.Unsupported(s.getSymbolName(), line);
    }

    private List<Expr> exprs(List<Symbol> symbols) {
        return symbols.stream().map(this::expr).collect(Collectors.toList());
    }

    private static boolean hasOperator(Symbol s) {
        return s.getChildren().stream().anyMatch(c -> c instanceof Operator);
    }

    private Expr literal(HCLValue v) {
        int line = line(v);
        switch (v.type) {
            case "string":
                return new Expr.Literal(unescape(String.valueOf(v.value)), line);
            case "number":
                try {
                    return new Expr.Literal(new BigDecimal(String.valueOf(v.value)), line);
                } catch (NumberFormatException e) {
                    return new Expr.Unsupported("the number " + v.value, line);
                }
            case "boolean":
                return new Expr.Literal(Boolean.valueOf("true".equals(v.value)), line);
            case "null":
                return new Expr.Literal(null, line);
            default:
                return new Expr.Unsupported("a value of type " + v.type, line);
        }
    }

    /** HCL's template escapes that hcl4j leaves in place: {@code $${} and {@code %%{}. */
    private static String unescape(String s) {
        return s.replace("$${", "${").replace("%%{", "%{");
    }

    /**
     * hcl4j writes {@code "a${x}b"} as a template symbol whose children are the literal parts and
     * one nested template symbol per {@code ${…}}, joined by {@code +} operators it inserts.
     */
    private Expr template(Symbol s) {
        boolean interpolation = s.getParent() instanceof StringInterpolatedExpression;
        if (interpolation) {
            return single(s.getChildren(), s);
        }
        List<Expr> parts = new ArrayList<>();
        for (Symbol child : s.getChildren()) {
            if (child instanceof Operator) {
                if (!"+".equals(child.getName())) {
                    return new Expr.Unsupported("the operator " + child.getName() + " in a string", line(s));
                }
            } else {
                parts.add(expr(child));
            }
        }
        return new Expr.Template(parts, line(s));
    }

    private Expr object(Symbol s) {
        Map<String, Expr> fields = new LinkedHashMap<>();
        for (Symbol child : s.getChildren()) {
            if (child instanceof HCLAttribute) {
                fields.put(child.getName(), value(child));
            }
        }
        return new Expr.ObjectOf(fields, line(s));
    }

    private Expr ref(Symbol s) {
        if (s instanceof VariableTree) {
            List<Object> path = new ArrayList<>();
            for (Symbol step : s.getChildren()) {
                Object key = step instanceof HCLArray ? index(step) : step.getName();
                if (key == null) {
                    return new Expr.Unsupported("the index expression in " + s.getName(), line(s));
                }
                path.add(key);
            }
            return new Expr.Ref(path, line(s));
        }
        return new Expr.Ref(List.of(s.getName()), line(s));
    }

    /** {@code [0]} gives an Integer, {@code ["key"]} a String; anything else null. */
    private static Object index(Symbol array) {
        if (array.getChildren().size() != 1 || !(array.getChildren().get(0) instanceof HCLValue)) {
            return null;
        }
        HCLValue v = (HCLValue) array.getChildren().get(0);
        if ("string".equals(v.type)) {
            return String.valueOf(v.value);
        }
        if ("number".equals(v.type)) {
            try {
                return new BigDecimal(String.valueOf(v.value)).intValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String typeName(Symbol s) {
        if (s.getChildren().isEmpty()) {
            return s.getName();
        }
        return s.getChildren().stream().map(HclSyntax::typeName).collect(Collectors.joining(", ", s.getName() + "(", ")"));
    }

    /** hcl4j counts lines from 0. */
    private static int line(Symbol s) {
        Integer l = s.getLine();
        return l == null ? 0 : l + 1;
    }
}
