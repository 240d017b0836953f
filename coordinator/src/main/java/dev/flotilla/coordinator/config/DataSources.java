package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.Evaluator.Scope;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;

import java.math.BigDecimal;
import java.util.List;

/**
 * {@code data "sql" "name" { url = …  query = …  args = […] }} blocks and references to them
 * ({@code data.sql.name.values}, {@code .value}, {@code .count}). In {@link Evaluator.Mode#CHECK}
 * the block is validated and its value is {@link KnownAtDeployment}; in {@link Evaluator.Mode#LIVE} the
 * query runs, once per evaluator.
 */
final class DataSources {
    private static final List<String> SQL_ATTRIBUTES = List.of("url", "query", "args");
    private static final List<String> SQL_OUTPUTS = List.of("count", "value", "values");

    private final ProjectModel model;
    private final Evaluator evaluator;

    DataSources(ProjectModel model, Evaluator evaluator) {
        this.model = model;
        this.evaluator = evaluator;
    }

    /** The settings of a data "sql" block; in CHECK mode a part that depends on another data source is null. */
    private record Settings(DatabaseUrl url, String query, List<Object> args) {
    }

    Object ref(Expr.Ref r, Scope s) {
        List<Object> path = r.path();
        if (path.size() < 3 || !(path.get(1) instanceof String) || !(path.get(2) instanceof String)) {
            throw evaluator.error(r, s, r.source() + " is incomplete; write data.sql.<name>.values");
        }
        String type = (String) path.get(1);
        String name = (String) path.get(2);
        if (!"sql".equals(type)) {
            String problem = model.otherData().containsKey(type + "." + name)
                    ? "data " + ValueText.quote(type) + " sources are not supported by flotilla, only data \"sql\""
                    : "unknown data source " + r.prefix(3);
            throw evaluator.error(r, s, problem + "; list the tenants with a data \"sql\" query, a locals list or"
                    + " jsondecode(file(\"tenants.json\"))");
        }
        if (!model.sqlSources().containsKey(name)) {
            throw evaluator.error(r, s, "unknown data source " + r.prefix(3) + " (" + model.declared(model.sqlSources())
                    + "); declare it: data \"sql\" " + ValueText.quote(name) + " { url = var.url  query = \"SELECT …\" }");
        }
        if (path.size() > 3 && !SQL_OUTPUTS.contains(path.get(3))) {
            throw evaluator.error(r, s, r.prefix(3) + " has " + String.join(", ", SQL_OUTPUTS) + "; write "
                    + r.prefix(3) + ".values for the first column of every row");
        }
        return evaluator.traverse(sql(name), r, 3, s);
    }

    /** The block's result object ({@code count}, {@code value}, {@code values}), or {@link KnownAtDeployment} in CHECK mode. */
    Object sql(String name) {
        Block b = model.sqlSources().get(name);
        return evaluator.once("data.sql." + name, b.line(), b.describe(), () -> {
            Settings settings = settings(b);
            if (evaluator.mode() == Evaluator.Mode.CHECK) {
                return KnownAtDeployment.VALUE;
            }
            return SqlDataSource.query(model.file().at(b.line()) + ": " + b.describe(), settings.url(),
                    settings.query(), settings.args());
        });
    }

    /**
     * Runs the block's query in {@link Evaluator.Mode#LIVE} and gives each row (as {@code values}
     * holds it) to {@code row} as it is read, without keeping the result.
     *
     * @return the number of columns, 0 for no row
     */
    int stream(String name, java.util.function.Consumer<Object> row) {
        Block b = model.sqlSources().get(name);
        Settings settings = settings(b);
        return SqlDataSource.stream(model.file().at(b.line()) + ": " + b.describe(), settings.url(), settings.query(),
                settings.args(), row);
    }

    /** Whether {@code e} is {@code data.sql.<name>.values} of a declared source; its name then, else null. */
    String valuesOf(Expr e) {
        if (e instanceof Expr.Ref r && r.path().size() == 4 && "data".equals(r.path().get(0))
                && "sql".equals(r.path().get(1)) && "values".equals(r.path().get(3))
                && r.path().get(2) instanceof String name && model.sqlSources().containsKey(name)) {
            return name;
        }
        return null;
    }

    private Settings settings(Block b) {
        String where = b.describe();
        for (Attribute a : b.attributes()) {
            if (!SQL_ATTRIBUTES.contains(a.name())) {
                throw model.file().invalid(a.line(), where + ": " + a.name(), "unknown attribute; data \"sql\" takes "
                        + String.join(", ", SQL_ATTRIBUTES));
            }
        }
        Attribute url = required(b, "url", "url = var.url (the database that lists the tenants)");
        Attribute query = required(b, "query", "query = \"SELECT name FROM tenants\"");
        Object u = evaluator.eval(url.value(), Scope.of(where, "url"));
        Object q = evaluator.eval(query.value(), Scope.of(where, "query"));
        List<Object> args = args(b, where);
        DatabaseUrl parsed = u == KnownAtDeployment.VALUE ? null : databaseUrl(u, url, where);
        if (q != KnownAtDeployment.VALUE && !(q instanceof String)) {
            throw evaluator.error(query.value(), Scope.of(where, "query"), "must be a string, but "
                    + query.value().source() + " is " + Evaluator.describe(q));
        }
        String sql = q instanceof String ? (String) q : null;
        if (parsed != null && sql != null && args != null) {
            try {
                SqlDataSource.prepare(sql, parsed.dialect(), args.size());
            } catch (IllegalArgumentException e) {
                throw model.file().invalid(query.line(), where + ": query", e.getMessage());
            }
        }
        return new Settings(parsed, sql, args);
    }

    private Attribute required(Block b, String name, String example) {
        return b.attribute(name).orElseThrow(() -> model.file().invalid(b.line(), b.describe(), "has no " + name
                + "; add " + example));
    }

    private DatabaseUrl databaseUrl(Object u, Attribute url, String where) {
        if (!(u instanceof String)) {
            throw evaluator.error(url.value(), Scope.of(where, "url"), "must be a string, but " + url.value().source()
                    + " is " + Evaluator.describe(u));
        }
        try {
            return DatabaseUrl.parse((String) u);
        } catch (FlotillaException e) {
            throw model.file().invalid(url.line(), where + ": url", e.getMessage());
        }
    }

    /** The args list, or null when it depends on another data source (CHECK mode). */
    private List<Object> args(Block b, String where) {
        Attribute a = b.attribute("args").orElse(null);
        if (a == null) {
            return List.of();
        }
        Object v = evaluator.eval(a.value(), Scope.of(where, "args"));
        if (v == KnownAtDeployment.VALUE) {
            return null;
        }
        if (!(v instanceof List)) {
            throw evaluator.error(a.value(), Scope.of(where, "args"), "must be a list, e.g. args = [\"active\"], but "
                    + a.value().source() + " is " + Evaluator.describe(v));
        }
        List<?> list = (List<?>) v;
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (!(item instanceof String || item instanceof BigDecimal || item instanceof Boolean)) {
                throw evaluator.error(a.value(), Scope.of(where, "args"), "element " + (i + 1) + " is "
                        + Evaluator.describe(item) + "; args take strings, numbers and bools");
            }
        }
        return List.<Object>copyOf(list);
    }
}
