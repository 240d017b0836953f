package dev.flotilla.registry;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.StoreBackedService;
import dev.flotilla.fabric.access.AuditEvent;
import dev.flotilla.fabric.access.AuditTrail;
import dev.flotilla.fabric.access.Principal;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.Topics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.kafka.client.producer.KafkaProducer;

import java.util.EnumSet;

/**
 * The schema-registry service: {@code POST /api/v1/dirs/:name/push?tag=T} with Atlas' tar archive
 * as body, directory and tag queries, and the archive download behind {@code atlas://} URLs.
 */
public final class RegistryService extends StoreBackedService {
    private final long maxArchiveBytes;
    private Registry registry;
    private AuditTrail audit;
    private KafkaProducer<String, byte[]> producer;
    private Counter pushes;
    private volatile boolean ready;
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private long drainTimer = -1;
    private io.vertx.core.Vertx vertx;

    public RegistryService(long maxArchiveBytes) {
        this.maxArchiveBytes = maxArchiveBytes;
    }

    @Override
    public String name() {
        return "registry";
    }

    @Override
    protected int jdbcThreads() {
        return 4;
    }

    @Override
    protected void prepare(ServiceHost host) {
        vertx = host.vertx();
        producer = KafkaProducer.create(host.vertx(), KafkaClients.strings(KafkaClients.producer(host.kafka(),
                "registry")));
        pushes = Counter.builder("flotilla_registry_pushes_total").description("directory pushes that moved a tag")
                .register(host.meters());
        registry = new Registry(new JdbcRegistryStore(host.store()), maxArchiveBytes);
        audit = host.access().audit();
    }

    @Override
    protected void serve(ServiceHost host) {
        routes(host.api());
        drainTimer = host.vertx().setPeriodic(1000, id -> drain());
        ready = true;
    }

    private void routes(Api api) {
        api.withBody(HttpMethod.POST, "/api/v1/dirs/:name/push", Scope.PUSH, "application/x-tar", maxArchiveBytes,
                this::push);
        api.get("/api/v1/dirs", Scope.READ, ctx -> jdbc().executeBlocking(() -> dirs())
                .onSuccess(a -> HttpErrors.json(ctx, 200, new JsonObject().put("directories", a)))
                .onFailure(e -> HttpErrors.fail(ctx, e)));
        api.route(HttpMethod.GET, "/api/v1/dirs/:name/archive", EnumSet.of(Scope.PUSH, Scope.DEPLOY), this::archive);
        api.route(HttpMethod.GET, "/api/v1/versions/:versionId", EnumSet.of(Scope.PUSH, Scope.DEPLOY), this::version);
    }

    private void push(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String tag = ctx.queryParams().get("tag");
        Api.principal(ctx).require(Scope.PUSH, "directory", name);
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        AuditEvent event = Api.event(ctx, "directory.push", name + ":" + (tag == null ? "latest" : tag), "ok", null);
        jdbc().executeBlocking(() -> pushAndRecord(name, tag, body, event), false).compose(r -> {
            if (r.moved()) {
                pushes.increment();
            }
            return drain().map(v -> r);
        }).onSuccess(r -> HttpErrors.json(ctx, r.moved() ? 201 : 200, new JsonObject()
                .put("directory", r.directory()).put("tag", r.tag()).put("versionId", r.versionId())
                .put("latestVersion", r.latestVersion()).put("files", r.fileCount()).put("created", r.moved())
                .put("url", "/dirs/" + r.directory() + "?tag=" + r.tag())))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /** Stores the push and records it, or its refusal, in the audit trail. */
    private PushResult pushAndRecord(String name, String tag, byte[] body, AuditEvent event) {
        try {
            PushResult r = registry.push(name, tag, body);
            audit.record(new AuditEvent(0, event.at(), event.actor(), event.action(), event.object(), "ok",
                    event.source(), "version " + r.versionId() + (r.moved() ? "" : ", unchanged")));
            return r;
        } catch (RuntimeException e) {
            audit.record(new AuditEvent(0, event.at(), event.actor(), event.action(), event.object(), "failed",
                    event.source(), DatabaseUrl.redact(e.getMessage())));
            throw e;
        }
    }

    /**
     * Sends what the outbox holds, oldest first, deleting each event once Kafka has it. Runs after
     * every push and every second, so an event whose send failed (or whose registry died after
     * the commit) goes out later: a moved tag is never left unannounced.
     */
    private Future<Void> drain() {
        if (!draining.compareAndSet(false, true)) {
            // A drain is running; it may have read the outbox before this push committed: go again after it.
            return vertx.timer(50).compose(v -> drain());
        }
        return jdbc().<Void>executeBlocking(() -> {
            for (RegistryStore.OutboxEvent e : registry.store().outbox(100)) {
                producer.unwrap().send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.DIRECTORIES,
                        e.key(), e.payload())).get(30, java.util.concurrent.TimeUnit.SECONDS);
                registry.store().published(e.seq());
            }
            return null;
        }, false).recover(e -> {
            org.slf4j.LoggerFactory.getLogger(RegistryService.class).warn(
                    "publishing DirectoryPushed failed, will retry: {}", e.toString());
            return Future.succeededFuture();
        }).onComplete(v -> draining.set(false));
    }

    private void archive(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Principal p = Api.principal(ctx);
        if (!p.allows(Scope.DEPLOY, null)) {
            p.require(Scope.PUSH, "directory", name);
        }
        String tag = ctx.queryParams().get("tag") == null ? "latest" : ctx.queryParams().get("tag");
        jdbc().executeBlocking(() -> registry.store().byTag(name, tag).orElseThrow(() -> new FlotillaException(
                ErrorCode.NOT_FOUND, "directory \"" + name + "\" has no tag \"" + tag + "\"; push it with 'flotilla"
                + " migrate push " + name + ":" + tag + "'")), false)
                .onSuccess(v -> ctx.response().putHeader("content-type", "application/x-tar")
                        .putHeader("x-flotilla-version-id", v.versionId()).end(Buffer.buffer(v.archive())))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /**
     * A version's archive by its id, for workers (whose token has scope deploy) and for pushers of
     * its directory: what a {@code DirectoryPushed} refers to. 404 when the registry does not hold it.
     */
    private void version(RoutingContext ctx) {
        String id = ctx.pathParam("versionId");
        Principal p = Api.principal(ctx);
        if (!Registry.VERSION_ID.matcher(id).matches()) {
            HttpErrors.fail(ctx, new FlotillaException(ErrorCode.REQUEST_INVALID, "\"" + id + "\" is not a version id:"
                    + " a version id is the hex SHA-256 of the archive, 64 characters 0-9 and a-f"));
            return;
        }
        jdbc().executeBlocking(() -> {
            RegistryStore.StoredVersion v = registry.store().byId(id).orElseThrow(() -> new FlotillaException(
                    ErrorCode.NOT_FOUND, "directory version " + id + " is not in this registry; it was never pushed"
                    + " here"));
            if (!p.allows(Scope.DEPLOY, null)) {
                p.require(Scope.PUSH, "directory", v.directory());
            }
            return v;
        }, false).onSuccess(v -> ctx.response().putHeader("content-type", "application/x-tar")
                .putHeader("x-flotilla-version-id", v.versionId()).putHeader("x-flotilla-directory", v.directory())
                .end(Buffer.buffer(v.archive())))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    private JsonArray dirs() {
        JsonArray out = new JsonArray();
        for (RegistryStore.DirectoryInfo d : registry.store().directories()) {
            JsonArray tags = new JsonArray();
            d.tags().forEach(t -> tags.add(new JsonObject().put("tag", t.tag()).put("versionId", t.versionId())
                    .put("latestVersion", t.latestVersion()).put("updatedAt", t.updatedAt().toString())));
            out.add(new JsonObject().put("name", d.name()).put("tags", tags));
        }
        return out;
    }

    @Override
    protected Future<Void> halt() {
        ready = false;
        if (drainTimer >= 0) {
            vertx.cancelTimer(drainTimer);
        }
        return producer == null ? Future.succeededFuture() : producer.close();
    }

    @Override
    public boolean ready() {
        return ready;
    }
}
