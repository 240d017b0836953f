package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.Evaluator.Scope;
import dev.flotilla.migrate.FlotillaException;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * {@code variable "name" { type = … default = … }} blocks: the value is the {@code --var} given,
 * converted to the declared type, else the default. Like Atlas, a variable with neither is an
 * error even when no env uses it.
 */
final class Variables {
    private final ProjectModel model;
    private final Evaluator evaluator;

    Variables(ProjectModel model, Evaluator evaluator) {
        this.model = model;
        this.evaluator = evaluator;
    }

    /**
     * @param ref the reference being evaluated, for the message when the variable is not declared;
     *     null when the caller knows it is declared
     */
    Object get(String name, Expr.Ref ref, Scope scope) {
        Block decl = model.variables().get(name);
        if (decl == null) {
            Expr at = ref != null ? ref : new Expr.Unsupported("var." + name, 0);
            throw evaluator.error(at, scope, "unknown variable " + ValueText.quote(name) + " (" + model.declared(
                    model.variables()) + "); declare it with variable " + ValueText.quote(name) + " { type = string } and"
                    + " give its value with --var " + name + "=… or a default");
        }
        return evaluator.once("var." + name, decl.line(), decl.describe(), () -> value(decl));
    }

    private Object value(Block decl) {
        String type = decl.attribute("type").map(a -> a.value().source()).orElse("any");
        String given = model.overrides().get(decl.name());
        if (given != null) {
            return fromCommandLine(decl, baseType(type), given);
        }
        Attribute def = decl.attribute("default").orElseThrow(() -> model.file().invalid(decl.line(),
                decl.describe(), "has no default and no value was given; pass --var " + decl.name()
                        + "=<value> or add default = … to the block"));
        Object v = evaluator.eval(def.value(), Scope.constant(decl.describe(), "default"));
        return conform(decl, def, type, v);
    }

    private static String baseType(String type) {
        int paren = type.indexOf('(');
        return paren < 0 ? type : type.substring(0, paren);
    }

    /** Converts a --var value; the value itself is never echoed, it may be a secret. */
    private Object fromCommandLine(Block decl, String type, String raw) {
        String name = decl.name();
        switch (type) {
            case "number":
                try {
                    return new BigDecimal(raw.trim());
                } catch (NumberFormatException e) {
                    throw invalidVar(name, "is a number, but the value given is not; give e.g. --var " + name + "=3");
                }
            case "bool":
                if ("true".equals(raw) || "false".equals(raw)) {
                    return Boolean.valueOf(raw);
                }
                throw invalidVar(name, "is a bool; give --var " + name + "=true or --var " + name + "=false");
            case "list":
            case "set":
            case "tuple":
                return json(name, raw, List.class, "a JSON array, e.g. --var " + name + "='[\"tenant_1\",\"tenant_2\"]'");
            case "map":
            case "object":
                return json(name, raw, Map.class, "a JSON object, e.g. --var " + name + "='{\"key\":\"value\"}'");
            default:
                return raw;
        }
    }

    private Object json(String name, String raw, Class<?> kind, String example) {
        try {
            Object v = Json.parse(raw);
            if (kind.isInstance(v)) {
                return v;
            }
        } catch (IllegalArgumentException e) {
            // reported below without the value
        }
        throw invalidVar(name, "needs " + example);
    }

    private FlotillaException invalidVar(String name, String problem) {
        return model.file().invalid(0, "--var " + name, "variable " + ValueText.quote(name) + " " + problem);
    }

    private Object conform(Block decl, Attribute def, String type, Object v) {
        String base = baseType(type);
        boolean ok;
        switch (base) {
            case "string":
                if (v instanceof BigDecimal || v instanceof Boolean) {
                    return Functions.text(v);
                }
                ok = v instanceof String;
                break;
            case "number":
                ok = v instanceof BigDecimal;
                break;
            case "bool":
                ok = v instanceof Boolean;
                break;
            case "list":
            case "set":
            case "tuple":
                ok = v instanceof List;
                break;
            case "map":
            case "object":
                ok = v instanceof Map;
                break;
            default:
                ok = true;
        }
        if (!ok) {
            throw model.file().invalid(def.line(), decl.describe() + ": default", "is " + Evaluator.describe(v)
                    + " but the variable's type is " + type + "; change the default or the type");
        }
        return v;
    }
}
