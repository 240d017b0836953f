package dev.flotilla.coordinator.config;

import dev.flotilla.coordinator.config.Block.Attribute;
import dev.flotilla.coordinator.config.Evaluator.Scope;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The targets of one env block: one per {@code for_each} element (named by it, with
 * {@code each.value} bound in {@code url}), or the env's single {@code url} named after the env.
 * Every {@link #resolve()} evaluates the block again with a fresh {@link Evaluator}, so data
 * sources are queried and files re-read at each deployment.
 */
final class EnvTargets implements TargetSource {
    private static final Logger LOG = LoggerFactory.getLogger(EnvTargets.class);

    private final ProjectModel model;
    private final Block env;
    private final RolloutVars rollout;

    EnvTargets(ProjectModel model, Block env, RolloutVars rollout) {
        this.model = model;
        this.env = env;
        this.rollout = rollout;
    }

    @Override
    public List<Target> resolve() {
        List<Target> targets = targets(new Evaluator(model, Evaluator.Mode.LIVE));
        LOG.debug("{}: {} targets", env.describe(), targets.size());
        return targets;
    }

    /**
     * Streams the targets (see {@link TargetSource#stream}): {@code for_each = data.sql.<name>.values}
     * or {@code toset(data.sql.<name>.values)} reads the query row by row; any other for_each is
     * evaluated (a static list is the parsed file's own) and its elements made into targets one by one.
     */
    @Override
    public Order stream(Consumer<Target> each) {
        Evaluator ev = new Evaluator(model, Evaluator.Mode.LIVE);
        Optional<Attribute> forEach = env.attribute("for_each");
        Attribute url = env.attribute("url").orElseThrow(() -> missingUrl(forEach.isPresent()));
        if (forEach.isEmpty()) {
            targets(ev).forEach(each);
            return Order.LISTED;
        }
        Expr items = forEach.get().value();
        boolean toset = items instanceof Expr.Call call && "toset".equals(call.name()) && call.args().size() == 1;
        String source = ev.sqlValues(toset ? ((Expr.Call) items).args().get(0) : items);
        long[] count = {0};
        Scope urlScope = scope();
        Consumer<TenantNames.Tenant> make = t -> {
            count[0]++;
            target(t.name(), ev.eval(url.value(), urlScope.withEach(t.each())), url, true)
                    .map(target -> target.withVars(rollout.vars(ev, t.each()))).ifPresent(each);
        };
        Order order = Order.LISTED;
        if (source == null) {
            TenantNames.each(ev.eval(items, Scope.of(env.describe(), "for_each")), forEach.get(), model.file(),
                    env.describe(), make);
        } else {
            long[] position = {0};
            String where = env.describe();
            int columns = ev.streamSql(source, row -> make.accept(TenantNames.tenant(row, (int) ++position[0],
                    forEach.get(), model.file(), where)));
            order = !toset ? Order.LISTED : columns > 1 ? Order.DISTINCT : Order.NAMES_SORTED;
        }
        LOG.debug("{}: {} targets streamed ({})", env.describe(), count[0], order);
        return order;
    }

    /**
     * Checks the block at load time with a {@link Evaluator.Mode#CHECK} evaluator: references,
     * functions, for_each, tenant names and URLs, without querying data sources. An env with neither
     * url nor for_each is accepted here (it may be used only for a dev database or migration
     * directory) and fails when resolved.
     */
    void check(Evaluator checker) {
        if (env.attribute("url").isPresent() || env.attribute("for_each").isPresent()) {
            targets(checker);
        }
    }

    private List<Target> targets(Evaluator ev) {
        Optional<Attribute> forEach = env.attribute("for_each");
        Attribute url = env.attribute("url").orElseThrow(() -> missingUrl(forEach.isPresent()));
        if (forEach.isEmpty()) {
            return target(env.name(), ev.eval(url.value(), scope()), url, false)
                    .map(t -> t.withVars(rollout.vars(ev, null))).map(List::of).orElse(List.of());
        }
        Object items = ev.eval(forEach.get().value(), Scope.of(env.describe(), "for_each"));
        if (items == KnownAtDeployment.VALUE) {
            ev.eval(url.value(), scope().withEach(KnownAtDeployment.VALUE)); // checks url's references and functions
            return List.of();
        }
        List<Target> out = new ArrayList<>();
        for (TenantNames.Tenant t : TenantNames.of(items, forEach.get(), model.file(), env.describe())) {
            target(t.name(), ev.eval(url.value(), scope().withEach(t.each())), url, true)
                    .map(target -> target.withVars(rollout.vars(ev, t.each())))
                    .ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    private Scope scope() {
        return Scope.of(env.describe(), "url");
    }

    private Optional<Target> target(String name, Object value, Attribute url, boolean tenant) {
        if (value == KnownAtDeployment.VALUE) {
            return Optional.empty();
        }
        // Made for a message only: a million targets pass here.
        java.util.function.Supplier<String> forTenant = () -> tenant ? " for tenant " + ValueText.quote(name) : "";
        if (!(value instanceof String)) {
            throw model.file().invalid(url.line(), env.describe() + ": url", "must be a string, but "
                    + url.value().source() + forTenant.get() + " is " + Evaluator.describe(value));
        }
        try {
            DatabaseUrl.parse((String) value);
        } catch (FlotillaException e) {
            throw model.file().invalid(url.line(), env.describe() + ": url", url.value().source() + forTenant.get()
                    + " gives an " + e.getMessage());
        }
        return Optional.of(new Target(name, (String) value));
    }

    private FlotillaException missingUrl(boolean forEach) {
        return model.file().invalid(env.line(), env.describe(), forEach
                ? "has for_each but no url; add url = \"sqlite://${each.value}.db\" or url = urlsetpath(var.url,"
                        + " each.value) to the env block"
                : "has no url, so there is nothing to deploy to; add url = \"postgres://user@host:5432/db\" (or"
                        + " for_each and url) to the env block");
    }

    @Override
    public String toString() {
        return "targets of " + env.describe() + " in " + model.file().name();
    }
}
