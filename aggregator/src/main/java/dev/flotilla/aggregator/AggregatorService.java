package dev.flotilla.aggregator;

import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.StoreBackedService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.Callable;

/**
 * The aggregator: turns result events into status views in PostgreSQL and serves them under
 * {@code /api/v1} (deployment sets, deployments, databases, directories).
 */
public final class AggregatorService extends StoreBackedService {
    private final java.time.Duration stallAfter;
    private ResultsConsumer loop;
    private Thread thread;
    private ViewQueries queries;

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
    protected void prepare(ServiceHost host) {
        host.store().migrate(ViewSchema.DDL);
        queries = new ViewQueries(host.store(), stallAfter);
        loop = new ResultsConsumer(host.bootstrapServers(), host.store(), host.meters());
    }

    @Override
    protected void serve(ServiceHost host) {
        thread = new Thread(loop, "flotilla-aggregator-consumer");
        thread.setDaemon(true);
        thread.start();
        routes(host.router());
    }

    private void routes(Router r) {
        r.get("/api/v1/deployment-sets").handler(ctx -> answer(ctx, () -> queries.sets(q(ctx, "status"),
                q(ctx, "env"), q(ctx, "directory"), Page.of(ctx.queryParams()))));
        r.get("/api/v1/deployment-sets/:id").handler(ctx -> answer(ctx, () -> queries.set(ctx.pathParam("id"),
                Page.of(ctx.queryParams()))));
        r.get("/api/v1/deployment-sets/:id/targets/:target").handler(ctx -> answer(ctx, () -> queries.deployment(
                ctx.pathParam("id"), ctx.pathParam("target"))));
        r.get("/api/v1/databases").handler(ctx -> answer(ctx, () -> queries.databases(q(ctx, "status"), q(ctx, "env"),
                q(ctx, "directory"), q(ctx, "name"), Page.of(ctx.queryParams()))));
        r.get("/api/v1/databases/:id").handler(ctx -> answer(ctx, () -> queries.database(ctx.pathParam("id"))));
        r.get("/api/v1/directories").handler(ctx -> answer(ctx, () -> new JsonObject()
                .put("items", queries.directories())));
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
        if (loop != null) {
            loop.stop();
        }
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return loop != null && loop.caughtUp();
    }
}
