package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Evaluator.Scope;
import dev.flotilla.migrate.FlotillaException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Atlas' {@code deployment "name" { variable …; group … }} block: how a staged rollout splits an
 * env's targets into groups, orders them, and bounds how many of each run at once. Read as Atlas
 * documents it: groups are matched in file order and the first match wins; a group without
 * {@code match} takes the rest; {@code order_by} sorts ascending (a list sorts by each in turn);
 * {@code parallel} defaults to 1; {@code on_error} is {@code FAIL} (default) or {@code CONTINUE};
 * {@code depends_on} names the groups that must be complete first.
 */
public final class DeploymentConfig {
    /** What a group does when one of its targets fails. */
    public enum OnError {
        /** No new target of the group starts; those running finish; its dependants never start. */
        FAIL,
        /** The group goes on; with failures it still counts as complete for its dependants. */
        CONTINUE
    }

    /**
     * One {@code group "name" { … }} block.
     *
     * @param parallel the most targets of the group in flight at once, across all workers
     * @param dependsOn the groups that must be complete before this one starts, by name
     */
    public record Group(String name, int parallel, OnError onError, List<String> dependsOn, int line) {
        public Group {
            dependsOn = List.copyOf(dependsOn);
        }
    }

    /** A group and the targets assigned to it, in the order they start. */
    public record Planned(Group group, List<Target> targets) {
        public Planned {
            targets = List.copyOf(targets);
        }
    }

    /** A group's expressions, kept for planning. */
    record GroupExprs(Expr match, List<Expr> orderBy) {
    }

    private final String name;
    private final List<Group> groups;
    private final Map<String, GroupExprs> exprs;
    private final Map<String, Expr> defaults;
    private final ProjectModel model;
    private final String where;

    DeploymentConfig(String name, List<Group> groups, Map<String, GroupExprs> exprs, Map<String, Expr> defaults,
            ProjectModel model, String where) {
        this.name = name;
        this.groups = List.copyOf(groups);
        this.exprs = Map.copyOf(exprs);
        this.defaults = new LinkedHashMap<>(defaults);
        this.model = model;
        this.where = where;
    }

    /** The deployment's label. */
    public String name() {
        return name;
    }

    /** The groups in file order. */
    public List<Group> groups() {
        return groups;
    }

    /** The declared variables and their defaults (null for none), in file order. */
    Map<String, Expr> variables() {
        return java.util.Collections.unmodifiableMap(defaults);
    }

    /**
     * Assigns each target to the first group it matches, in file order, and orders each group's
     * targets by its {@code order_by}. Groups without targets are kept (their dependants wait for
     * nothing on their account).
     *
     * @throws FlotillaException CONFIG_INVALID when a match is not a bool or an order key is not a
     *     number or string, naming the group, its line and the target
     */
    public List<Planned> plan(List<Target> targets) {
        Evaluator ev = new Evaluator(model, Evaluator.Mode.LIVE);
        Map<String, List<Target>> assigned = new LinkedHashMap<>();
        groups.forEach(g -> assigned.put(g.name(), new ArrayList<>()));
        for (Target t : targets) {
            Group g = groupOf(t, ev);
            if (g != null) {
                assigned.get(g.name()).add(t);
            }
        }
        List<Planned> out = new ArrayList<>();
        for (Group g : groups) {
            out.add(new Planned(g, ordered(g, assigned.get(g.name()), ev)));
        }
        return out;
    }

    /**
     * A target's place in a staged rollout: its group and the values its group's {@code order_by}
     * gives it (strings or numbers, in the order of the keys; empty without order_by).
     */
    public record Placement(Group group, List<Object> orderKeys) {
    }

    /**
     * Places targets one at a time, as {@link #plan} does for a list, for a caller that orders them
     * itself (the coordinator's store sorts each group by the keys, then by the targets' order).
     * Not thread-safe; one per deployment.
     */
    public final class Planner {
        private final Evaluator ev = new Evaluator(model, Evaluator.Mode.LIVE);

        private Planner() {
        }

        /**
         * The first group {@code t} matches, with its order keys; null when it matches none.
         *
         * @throws FlotillaException CONFIG_INVALID as {@link #plan}
         */
        public Placement place(Target t) {
            Group g = groupOf(t, ev);
            if (g == null) {
                return null;
            }
            List<Object> keys = new ArrayList<>();
            for (Expr e : exprs.get(g.name()).orderBy()) {
                keys.add(key(g, t, ev.eval(e, scope(g, "order_by", t))));
            }
            return new Placement(g, keys);
        }
    }

    /** A planner for one deployment's targets. */
    public Planner planner() {
        return new Planner();
    }

    /** The most {@code order_by} keys any group has. */
    public int orderKeys() {
        return exprs.values().stream().mapToInt(e -> e.orderBy().size()).max().orElse(0);
    }

    private Group groupOf(Target t, Evaluator ev) {
        for (Group g : groups) {
            Expr match = exprs.get(g.name()).match();
            if (match == null) {
                return g;
            }
            Object v = ev.eval(match, scope(g, "match", t));
            if (!(v instanceof Boolean)) {
                throw invalid(g, "match", "is " + Evaluator.describe(v) + " for target " + ValueText.quote(t.name())
                        + "; it must be true or false");
            }
            if ((Boolean) v) {
                return g;
            }
        }
        return null;
    }

    private List<Target> ordered(Group g, List<Target> targets, Evaluator ev) {
        List<Expr> keys = exprs.get(g.name()).orderBy();
        if (keys.isEmpty() || targets.size() < 2) {
            return targets;
        }
        Map<Target, List<Comparable<Object>>> values = new LinkedHashMap<>();
        for (Target t : targets) {
            List<Comparable<Object>> k = new ArrayList<>();
            for (Expr e : keys) {
                k.add(key(g, t, ev.eval(e, scope(g, "order_by", t))));
            }
            values.put(t, k);
        }
        List<Target> out = new ArrayList<>(targets);
        out.sort(Comparator.comparing(values::get, DeploymentConfig::compareKeys));
        return out;
    }

    @SuppressWarnings("unchecked")
    private Comparable<Object> key(Group g, Target t, Object v) {
        if (v instanceof String || v instanceof BigDecimal) {
            return (Comparable<Object>) v;
        }
        throw invalid(g, "order_by", "is " + Evaluator.describe(v) + " for target " + ValueText.quote(t.name())
                + "; order by strings or numbers");
    }

    private static int compareKeys(List<Comparable<Object>> a, List<Comparable<Object>> b) {
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            int c = x.getClass() == y.getClass() ? a.get(i).compareTo(y) : String.valueOf(x).compareTo(String.valueOf(y));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private Scope scope(Group g, String attribute, Target t) {
        return Scope.deployment(where + ": group " + ValueText.quote(g.name()), attribute, t.vars());
    }

    private FlotillaException invalid(Group g, String attribute, String problem) {
        return model.file().invalid(g.line(), where + ": group " + ValueText.quote(g.name()) + ": " + attribute,
                problem);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeploymentConfig d && d.name.equals(name) && d.groups.equals(groups);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, groups);
    }

    @Override
    public String toString() {
        return "deployment " + ValueText.quote(name) + " " + groups;
    }
}
