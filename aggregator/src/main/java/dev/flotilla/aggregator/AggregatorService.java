package dev.flotilla.aggregator;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.Requests;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.StoreBackedService;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.fabric.access.Scope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The aggregator: turns result events into status views in PostgreSQL and serves them under
 * {@code /api/v1} (deployment sets, deployments, databases, directories).
 */
public final class AggregatorService extends StoreBackedService {
    /** What {@code status=} may ask for on deployment sets; STALLED is a running set without news. */
    static final Set<String> SET_STATUSES = Set.of("RUNNING", "PASSED", "FAILED", "NO_ACTION", "DRY_RUN", "STALLED",
            "PAUSED", "HALTED", "CANCELLED", "SKIPPED");
    /** What {@code status=} may ask for on a set's targets. */
    static final Set<String> DEPLOYMENT_STATUSES = Set.of("QUEUED", "RUNNING", "PASSED", "FAILED", "NO_ACTION",
            "DRY_RUN", "SKIPPED");
    /** How often {@code flotilla_databases_behind} and the {@link FleetGauges} are recomputed. */
    static final long BEHIND_REFRESH_MS = 5_000;
    /** What {@code status=} may ask for on databases. */
    static final Set<String> DATABASE_STATUSES = Set.of("SYNCED", "PENDING", "FAILED");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AggregatorService.class);
    private final java.time.Duration stallAfter;
    private io.vertx.core.Vertx vertx;
    private ResultsConsumer loop;
    private SupervisedLoop supervisor;
    private RolloutsConsumer rollouts;
    private SupervisedLoop rolloutsSupervisor;
    private BehindGauge behind;
    private FleetGauges fleet;
    private long behindTimer = -1;
    private ViewQueries queries;
    private LiveEvents live;

    /** With sets reported stalled after 5 minutes without an event. */
    public AggregatorService() {
        this(java.time.Duration.ofMinutes(5));
    }

    /** {@code stallAfter}: how long a running set may go without an event before it is reported stalled. */
    public AggregatorService(java.time.Duration stallAfter) {
        this.stallAfter = stallAfter;
    }

    @Override
    public String name() {
        return "aggregator";
    }

    @Override
    protected int jdbcThreads() {
        return 8;
    }

    @Override
    protected void prepare(ServiceHost host) throws java.sql.SQLException {
        host.store().migrate(ViewSchema.DDL);
        try (java.sql.Connection c = host.store().connection()) {
            if (!ViewSchema.searchIndexed(c)) {
                LOG.warn("the store has no pg_trgm extension (and this login cannot add it): searching databases by"
                        + " name reads every row; add it with CREATE EXTENSION pg_trgm and restart the aggregator");
            }
        }
        queries = new ViewQueries(host.store(), stallAfter);
        loop = new ResultsConsumer(host.kafka(), host.store(), host.meters());
        rollouts = new RolloutsConsumer(host.kafka(), host.store());
        behind = new BehindGauge(host.store(), host.meters());
        behind.refresh();
        fleet = new FleetGauges(host.store(), host.meters());
        fleet.refresh();
        live = new LiveEvents(queries);
        loop.onCommitted(live::committed);
        rollouts.onCommitted(live::committed);
        io.micrometer.core.instrument.Gauge.builder("flotilla_aggregator_event_stream_clients", live,
                LiveEvents::subscribers).register(host.meters());
    }

    @Override
    protected void serve(ServiceHost host) {
        vertx = host.vertx();
        supervisor = SupervisedLoop.start("flotilla-aggregator-consumer", loop);
        rolloutsSupervisor = SupervisedLoop.start("flotilla-aggregator-rollouts", rollouts);
        behindTimer = host.vertx().setPeriodic(BEHIND_REFRESH_MS, id -> jdbc().executeBlocking(() -> {
            behind.refresh();
            fleet.refresh();
            return null;
        }, false).onFailure(e -> LOG.warn("could not recompute {}: {}", BehindGauge.NAME, e.toString())));
        routes(host.api());
    }

    private void routes(Api api) {
        api.get("/api/v1/deployment-sets", Scope.READ, ctx -> answer(ctx, () -> queries.sets(
                Requests.oneOf(ctx, "status", SET_STATUSES), q(ctx, "env"), q(ctx, "directory"), Page.of(ctx.queryParams()))));
        api.get("/api/v1/deployment-sets/:id", Scope.READ, ctx -> answer(ctx, () -> queries.set(ctx.pathParam("id"),
                Requests.oneOf(ctx, "status", DEPLOYMENT_STATUSES), Page.of(ctx.queryParams()))));
        api.get("/api/v1/deployment-sets/:id/targets/:target", Scope.READ, ctx -> answer(ctx, () -> queries.deployment(
                ctx.pathParam("id"), ctx.pathParam("target"))));
        api.get("/api/v1/databases", Scope.READ, ctx -> answer(ctx, () -> queries.databases(
                Requests.oneOf(ctx, "status", DATABASE_STATUSES), q(ctx, "env"), q(ctx, "directory"), q(ctx, "name"),
                Page.of(ctx.queryParams()))));
        api.get("/api/v1/databases/:id", Scope.READ, ctx -> answer(ctx, () -> queries.database(ctx.pathParam("id"))));
        api.get("/api/v1/directories", Scope.READ, ctx -> answer(ctx, () -> queries.directories(
                Page.of(ctx.queryParams()))));
        api.get("/api/v1/events", Scope.READ, ctx -> EventStream.serve(ctx, live));
    }

    private static String q(RoutingContext ctx, String name) {
        return ctx.queryParams().get(name);
    }

    private void answer(RoutingContext ctx, Callable<Object> query) {
        jdbc().executeBlocking(query, false).onSuccess(v -> {
            JsonObject body = v instanceof JsonArray ? new JsonObject().put("items", v) : (JsonObject) v;
            HttpErrors.json(ctx, 200, body);
        }).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    @Override
    protected Future<Void> halt() {
        if (behindTimer >= 0) {
            vertx.cancelTimer(behindTimer);
        }
        if (rolloutsSupervisor != null) {
            rolloutsSupervisor.stop(java.time.Duration.ofSeconds(10));
        }
        if (supervisor != null) {
            supervisor.stop(java.time.Duration.ofSeconds(10));
        }
        if (loop != null) {
            loop.close();
        }
        if (live != null) {
            live.close();
        }
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return loop != null && loop.caughtUp() && rollouts != null && rollouts.caughtUp();
    }
}
