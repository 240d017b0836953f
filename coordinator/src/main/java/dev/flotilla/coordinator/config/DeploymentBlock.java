package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.DeploymentConfig.Group;
import dev.flotilla.coordinator.config.DeploymentConfig.GroupExprs;
import dev.flotilla.coordinator.config.DeploymentConfig.OnError;
import dev.flotilla.coordinator.config.Evaluator.Scope;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code deployment "name" { … }} block into a {@link DeploymentConfig}, recording every
 * problem (unknown attributes, bad {@code parallel} or {@code on_error}, {@code depends_on} naming
 * a group that does not exist or closing a cycle, expressions that refer to undeclared variables)
 * with the block and line.
 */
final class DeploymentBlock {
    private static final Set<String> GROUP_ATTRIBUTES = Set.of("match", "order_by", "parallel", "on_error",
            "depends_on");

    private final ProjectModel model;
    private final Evaluator checker;
    private final ConfigErrors errors;
    private final String where;

    private DeploymentBlock(ProjectModel model, Evaluator checker, ConfigErrors errors, String where) {
        this.model = model;
        this.checker = checker;
        this.errors = errors;
        this.where = where;
    }

    static DeploymentConfig read(Block b, ProjectModel model, Evaluator checker, ConfigErrors errors) {
        return new DeploymentBlock(model, checker, errors, b.describe()).read(b);
    }

    private DeploymentConfig read(Block b) {
        Map<String, Expr> variables = variables(b);
        List<Group> groups = new ArrayList<>();
        Map<String, GroupExprs> exprs = new LinkedHashMap<>();
        for (Block g : b.blocks()) {
            if ("group".equals(g.type())) {
                group(g, variables, groups, exprs);
            } else if (!"variable".equals(g.type())) {
                errors.add(g.line(), where, "has a " + g.type() + " block; a deployment holds variable and group"
                        + " blocks");
            }
        }
        b.attributes().forEach(a -> errors.add(a.line(), where + ": " + a.name(), "unknown attribute; a deployment"
                + " holds variable and group blocks"));
        if (groups.isEmpty()) {
            errors.add(b.line(), where, "has no group; add group \"all\" { parallel = 10 }");
        }
        checkDependencies(groups);
        return new DeploymentConfig(b.name(), groups, exprs, variables, model, where);
    }

    private Map<String, Expr> variables(Block b) {
        Map<String, Expr> out = new LinkedHashMap<>();
        for (Block v : b.blocks("variable")) {
            if (v.labels().size() != 1) {
                errors.add(v.line(), where + ": " + v.describe(), "takes one label; write variable \"name\" { type ="
                        + " string }");
                continue;
            }
            if (out.containsKey(v.name())) {
                errors.add(v.line(), where + ": " + v.describe(), "is declared twice; keep one");
            }
            out.put(v.name(), v.attribute("default").map(Attribute::value).orElse(null));
        }
        return out;
    }

    private void group(Block g, Map<String, Expr> variables, List<Group> groups, Map<String, GroupExprs> exprs) {
        String at = where + ": " + g.describe();
        if (g.labels().size() != 1) {
            errors.add(g.line(), at, "takes one label; write group \"canary\" { … }");
            return;
        }
        if (exprs.containsKey(g.name())) {
            errors.add(g.line(), at, "is defined twice; give each group its own name");
            return;
        }
        g.attributes().stream().filter(a -> !GROUP_ATTRIBUTES.contains(a.name())).forEach(a -> errors.add(a.line(),
                at + ": " + a.name(), "unknown attribute; a group takes " + String.join(", ",
                        new java.util.TreeSet<>(GROUP_ATTRIBUTES))));
        Expr match = g.attribute("match").map(Attribute::value).orElse(null);
        List<Expr> orderBy = g.attribute("order_by").map(a -> a.value() instanceof Expr.ListOf l ? l.items()
                : List.of(a.value())).orElse(List.of());
        Map<String, Object> unknown = new HashMap<>();
        variables.keySet().forEach(v -> unknown.put(v, KnownAtDeployment.VALUE));
        Scope scope = Scope.deployment(at, "match", unknown);
        if (match != null) {
            errors.check(() -> checker.eval(match, scope));
        }
        orderBy.forEach(e -> errors.check(() -> checker.eval(e, Scope.deployment(at, "order_by", unknown))));
        groups.add(new Group(g.name(), parallel(g, at), onError(g, at), dependsOn(g, at), g.line()));
        exprs.put(g.name(), new GroupExprs(match, orderBy));
    }

    private int parallel(Block g, String at) {
        Attribute a = g.attribute("parallel").orElse(null);
        if (a == null) {
            return 1;
        }
        Object v = errors.get(() -> checker.eval(a.value(), Scope.of(at, "parallel"))).orElse(BigDecimal.ONE);
        if (!(v instanceof BigDecimal n) || n.signum() <= 0 || n.stripTrailingZeros().scale() > 0
                || n.compareTo(BigDecimal.valueOf(100_000)) > 0) {
            errors.add(a.line(), at + ": parallel", "is " + Evaluator.describe(v) + "; it must be a whole number"
                    + " from 1 to 100000");
            return 1;
        }
        return n.intValueExact();
    }

    private OnError onError(Block g, String at) {
        Attribute a = g.attribute("on_error").orElse(null);
        if (a == null) {
            return OnError.FAIL;
        }
        String word = a.value() instanceof Expr.Ref r && r.path().size() == 1 ? String.valueOf(r.path().get(0))
                : a.value() instanceof Expr.Literal l && l.value() instanceof String str ? str : null;
        for (OnError o : OnError.values()) {
            if (o.name().equals(word)) {
                return o;
            }
        }
        errors.add(a.line(), at + ": on_error", "is " + a.value().source() + "; it must be FAIL or CONTINUE (Atlas"
                + " documents no other value)");
        return OnError.FAIL;
    }

    private List<String> dependsOn(Block g, String at) {
        Attribute a = g.attribute("depends_on").orElse(null);
        if (a == null) {
            return List.of();
        }
        if (!(a.value() instanceof Expr.ListOf list)) {
            errors.add(a.line(), at + ": depends_on", "must be a list of groups, e.g. depends_on = [group.canary]");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Expr e : list.items()) {
            if (e instanceof Expr.Ref r && r.path().size() == 2 && "group".equals(r.path().get(0))) {
                out.add(String.valueOf(r.path().get(1)));
            } else {
                errors.add(a.line(), at + ": depends_on", e.source() + " is not a group; write group.<name>");
            }
        }
        return out;
    }

    /** Every depends_on names a group of this deployment, and none closes a cycle. */
    private void checkDependencies(List<Group> groups) {
        Map<String, Group> byName = new LinkedHashMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        for (Group g : groups) {
            for (String d : g.dependsOn()) {
                if (!byName.containsKey(d)) {
                    errors.add(g.line(), where + ": group " + ValueText.quote(g.name()) + ": depends_on", "names"
                            + " group." + d + ", which this deployment does not have; it has " + byName.keySet());
                }
            }
        }
        for (Group g : groups) {
            List<String> cycle = cycleFrom(g.name(), byName, new ArrayList<>());
            if (cycle != null) {
                errors.add(g.line(), where + ": group " + ValueText.quote(g.name()) + ": depends_on", "closes a cycle: "
                        + String.join(" → ", cycle) + "; a group cannot wait for itself");
                return;
            }
        }
    }

    private static List<String> cycleFrom(String name, Map<String, Group> byName, List<String> path) {
        if (path.contains(name)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            return cycle;
        }
        Group g = byName.get(name);
        if (g == null) {
            return null;
        }
        path.add(name);
        for (String d : g.dependsOn()) {
            List<String> c = cycleFrom(d, byName, path);
            if (c != null) {
                return c;
            }
        }
        path.remove(path.size() - 1);
        return null;
    }
}
