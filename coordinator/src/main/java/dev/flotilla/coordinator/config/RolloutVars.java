package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.Evaluator.Scope;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An env's {@code rollout { deployment = deployment.staged  vars = { name = each.value } }}: which
 * deployment stages its rollouts, and the variables that deployment's groups match and order each
 * target by, evaluated per target with its {@code each.value}.
 */
final class RolloutVars {
    /** An env without a rollout block: every target in one flat set. */
    static final RolloutVars NONE = new RolloutVars(null, Map.of(), null, "");

    private final DeploymentConfig deployment;
    private final Map<String, Expr> vars;
    private final Map<String, Expr> defaults;
    private final String where;

    private RolloutVars(DeploymentConfig deployment, Map<String, Expr> vars, Map<String, Expr> defaults, String where) {
        this.deployment = deployment;
        this.vars = vars;
        this.defaults = defaults;
        this.where = where;
    }

    /**
     * The env's rollout block, recording problems: no such deployment, vars that are not an object,
     * vars the deployment does not declare, declared variables without default that vars omit.
     */
    static RolloutVars read(Block env, Map<String, DeploymentConfig> deployments, ConfigErrors errors) {
        var blocks = env.blocks("rollout");
        if (blocks.isEmpty()) {
            return NONE;
        }
        Block r = blocks.get(0);
        String where = env.describe() + ": rollout";
        if (blocks.size() > 1) {
            errors.add(blocks.get(1).line(), env.describe(), "has " + blocks.size() + " rollout blocks; keep one");
        }
        DeploymentConfig d = deployment(r, where, deployments, errors);
        Map<String, Expr> vars = vars(r, where, errors);
        if (d == null) {
            return NONE;
        }
        vars.keySet().stream().filter(k -> !d.variables().containsKey(k)).forEach(k -> errors.add(r.line(),
                where + ": vars", "sets " + k + ", which deployment " + ValueText.quote(d.name()) + " does not"
                        + " declare; declare it there with variable \"" + k + "\" { type = string }"));
        d.variables().forEach((k, dflt) -> {
            if (dflt == null && !vars.containsKey(k)) {
                errors.add(r.line(), where + ": vars", "does not set " + k + ", which deployment "
                        + ValueText.quote(d.name()) + " declares without a default; add " + k + " = … to vars");
            }
        });
        return new RolloutVars(d, vars, d.variables(), where);
    }

    private static DeploymentConfig deployment(Block r, String where, Map<String, DeploymentConfig> deployments,
            ConfigErrors errors) {
        Attribute a = r.attribute("deployment").orElse(null);
        if (a == null) {
            errors.add(r.line(), where, "has no deployment; write deployment = deployment.<name>");
            return null;
        }
        if (!(a.value() instanceof Expr.Ref ref) || ref.path().size() != 2 || !"deployment".equals(ref.path().get(0))) {
            errors.add(a.line(), where + ": deployment", a.value().source() + " is not a deployment; write"
                    + " deployment = deployment.<name>");
            return null;
        }
        DeploymentConfig d = deployments.get(String.valueOf(ref.path().get(1)));
        if (d == null) {
            errors.add(a.line(), where + ": deployment", "names " + a.value().source() + ", which the file does not"
                    + " have; it has " + (deployments.isEmpty() ? "no deployment block" : deployments.keySet()));
        }
        return d;
    }

    private static Map<String, Expr> vars(Block r, String where, ConfigErrors errors) {
        Attribute a = r.attribute("vars").orElse(null);
        if (a == null) {
            return Map.of();
        }
        if (!(a.value() instanceof Expr.ObjectOf o)) {
            errors.add(a.line(), where + ": vars", "must be an object, e.g. vars = { name = each.value }");
            return Map.of();
        }
        return o.fields();
    }

    /** The deployment that stages the env's rollouts; null for a flat rollout. */
    DeploymentConfig deployment() {
        return deployment;
    }

    /** The rollout vars of one target: its {@code vars}, else the declared defaults. */
    Map<String, Object> vars(Evaluator ev, Object each) {
        if (deployment == null) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        defaults.forEach((k, dflt) -> {
            Expr e = vars.getOrDefault(k, dflt);
            if (e == null) {
                return; // not set and no default: reported when the file was read
            }
            Scope s = Scope.of(where, "vars." + k);
            out.put(k, ev.eval(e, each == null ? s : s.withEach(each)));
        });
        return Collections.unmodifiableMap(out);
    }
}
