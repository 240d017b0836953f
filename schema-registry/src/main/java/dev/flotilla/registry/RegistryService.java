package dev.flotilla.registry;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.Requests;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.StoreBackedService;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.fabric.access.AuditEvent;
import dev.flotilla.fabric.access.AuditTrail;
import dev.flotilla.fabric.access.Principal;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.dir.MigrationFile;
import dev.flotilla.migrate.url.DatabaseUrl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The schema-registry service: {@code POST /api/v1/dirs/:name/push?tag=T} with Atlas' tar archive
 * as body, the directories and their tags, the archive download behind {@code atlas://} URLs, and
 * archives by version id for the workers. Every push that moves a tag is announced on
 * {@code flotilla.directories} by the {@link OutboxDrain} ({@code flotilla-registry-outbox}).
 */
public final class RegistryService extends StoreBackedService {
    /** How long a push's answer waits for the first attempt to announce it. */
    private static final Duration ANNOUNCE_WAIT = Duration.ofSeconds(5);

    private final long maxArchiveBytes;
    private Registry registry;
    private AuditTrail audit;
    private Api api;
    private Counter pushes;
    private DistributionSummary archiveBytes;
    private OutboxDrain drain;
    private SupervisedLoop drainLoop;
    private Vertx vertx;
    private volatile boolean ready;

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
        pushes = Counter.builder("flotilla_registry_pushes_total").description("directory pushes that moved a tag")
                .register(host.meters());
        // a few fixed buckets up to the largest archive taken, not a histogram per byte range: the dashboard
        // asks how large pushes are, and six series per process answer that
        archiveBytes = DistributionSummary.builder("flotilla_registry_push_archive_bytes").baseUnit("bytes")
                .description("size of the archives of accepted pushes, as sent").serviceLevelObjectives(16 * 1024,
                        256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 16 * 1024 * 1024, maxArchiveBytes)
                .register(host.meters());
        registry = new Registry(new JdbcRegistryStore(host.store()), maxArchiveBytes);
        drain = new OutboxDrain(registry.store(), host.kafka(), host.meters());
        audit = host.access().audit();
    }

    @Override
    protected void serve(ServiceHost host) {
        routes(host.api());
        drainLoop = SupervisedLoop.start("flotilla-registry-outbox", drain);
        ready = true;
    }

    private void routes(Api api) {
        this.api = api;
        api.withBody(HttpMethod.POST, "/api/v1/dirs/:name/push", Scope.PUSH, "application/x-tar", maxArchiveBytes,
                this::push);
        api.get("/api/v1/dirs", Scope.READ, this::dirs);
        api.route(HttpMethod.GET, "/api/v1/dirs/:name/archive", EnumSet.of(Scope.PUSH, Scope.DEPLOY), this::archive);
        api.route(HttpMethod.GET, "/api/v1/versions/:versionId", EnumSet.of(Scope.PUSH, Scope.DEPLOY), this::version);
        api.route(HttpMethod.GET, "/api/v1/versions/:versionId/files", EnumSet.of(Scope.READ, Scope.PUSH, Scope.DEPLOY),
                this::files);
    }

    /**
     * Stores a push, then answers once its event had a first attempt (or after {@link #ANNOUNCE_WAIT}),
     * saying whether it was announced and, if not, why.
     */
    private void push(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String tag = ctx.queryParams().get("tag");
        api.require(ctx, Scope.PUSH, "directory", name);
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        AuditEvent event = Api.event(ctx, "directory.push", name + ":" + (tag == null ? "latest" : tag), "ok", null);
        jdbc().executeBlocking(() -> pushAndRecord(name, tag, body, event), false).compose(r -> {
            archiveBytes.record(body.length);
            if (r.moved()) {
                pushes.increment();
            }
            return attempted(r).compose(v -> jdbc().executeBlocking(() -> answer(r), false));
        }).onSuccess(a -> HttpErrors.json(ctx, a.getBoolean("created") ? 201 : 200, a))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /** Completes once the push's event had its first attempt, or after {@link #ANNOUNCE_WAIT}; at once without one. */
    private Future<Void> attempted(PushResult r) {
        if (r.announcement() == 0) {
            return Future.succeededFuture();
        }
        CompletableFuture<Void> first = drain.attemptOf(r.announcement());
        drain.wake();
        CompletableFuture<Void> bounded = first.completeOnTimeout(null, ANNOUNCE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> drain.stopWaiting(r.announcement()));
        return Future.fromCompletionStage(bounded, vertx.getOrCreateContext());
    }

    private JsonObject answer(PushResult r) {
        Optional<RegistryStore.OutboxState> waiting = r.announcement() != 0
                ? registry.store().outboxState(r.announcement())
                : registry.store().pendingAnnouncement(r.directory(), r.versionId());
        JsonObject a = new JsonObject().put("directory", r.directory()).put("tag", r.tag())
                .put("versionId", r.versionId()).put("latestVersion", r.latestVersion()).put("files", r.fileCount())
                .put("created", r.moved()).put("url", "/dirs/" + r.directory() + "?tag=" + r.tag());
        return announced(a, waiting.orElse(null));
    }

    /** {@code announced}, and while not, why and when it is tried next. */
    private static JsonObject announced(JsonObject o, RegistryStore.OutboxState waiting) {
        o.put("announced", waiting == null);
        if (waiting != null) {
            o.put("announceError", waiting.lastError() == null ? "queued; not sent to Kafka yet" : waiting.lastError())
                    .put("announceAttempts", waiting.attempts())
                    .put("nextAnnounceAt", waiting.nextAttemptAt().toString());
        }
        return o;
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

    /** Whether {@code id} is a version id; answers 400 when it is not. */
    private static boolean versionId(RoutingContext ctx, String id) {
        if (Registry.VERSION_ID.matcher(id).matches()) {
            return true;
        }
        HttpErrors.fail(ctx, new FlotillaException(ErrorCode.REQUEST_INVALID, "\"" + id + "\" is not a version id:"
                + " a version id is the hex SHA-256 of the archive, 64 characters 0-9 and a-f"));
        return false;
    }

    /**
     * A version's archive by its id, for workers (whose token has scope deploy) and for pushers of
     * its directory: what a {@code DirectoryPushed} refers to. 404 when the registry does not hold it.
     */
    private void version(RoutingContext ctx) {
        String id = ctx.pathParam("versionId");
        Principal p = Api.principal(ctx);
        if (!versionId(ctx, id)) {
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

    /**
     * A version's files and {@code atlas.sum}, for the web UI. Scope read sees the names, versions and
     * {@code atlas.sum} (hashes only); a file's SQL may hold {@code -- atlas:sensitive} literals, so its
     * {@code content} is there only for tokens that may fetch the archive itself (push of the version's
     * directory, or deploy), and {@code contentHidden} says when it is not. A push token of another
     * directory (and without read) is refused.
     */
    private void files(RoutingContext ctx) {
        String id = ctx.pathParam("versionId");
        Principal p = Api.principal(ctx);
        if (!versionId(ctx, id)) {
            return;
        }
        jdbc().executeBlocking(() -> {
            RegistryStore.StoredVersion v = registry.store().byId(id).orElseThrow(() -> new FlotillaException(
                    ErrorCode.NOT_FOUND, "directory version " + id + " is not in this registry"));
            boolean content = p.allows(Scope.DEPLOY, null) || p.allows(Scope.PUSH, v.directory());
            if (!content && !p.allows(Scope.READ, null)) {
                p.require(Scope.PUSH, "directory", v.directory());
            }
            MigrationDirectory dir = MigrationDirectory.fromArchive(v.archive());
            JsonArray files = new JsonArray();
            for (MigrationFile f : dir.files()) {
                JsonObject o = new JsonObject().put("name", f.name()).put("version", f.version())
                        .put("description", f.description());
                files.add(content ? o.put("content", f.text()) : o);
            }
            return new JsonObject().put("directory", v.directory()).put("versionId", v.versionId())
                    .put("latestVersion", v.latestVersion()).put("files", files).put("contentHidden", !content)
                    .put("atlasSum", dir.sumFile().map(s -> new String(s.toBytes(), StandardCharsets.UTF_8))
                            .orElse(null));
        }, false).onSuccess(a -> HttpErrors.json(ctx, 200, a)).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /** A page of directories ({@code page}, {@code pageSize} up to 500), each tag saying whether its push was announced. */
    private void dirs(RoutingContext ctx) {
        int page = Requests.intParam(ctx, "page", 1, 1, 1_000_000);
        int size = Requests.intParam(ctx, "pageSize", 20, 1, 500);
        jdbc().executeBlocking(() -> {
            RegistryStore.DirectoryPage dirs = registry.store().directories((page - 1) * size, size);
            JsonArray items = new JsonArray();
            for (RegistryStore.DirectoryInfo d : dirs.items()) {
                JsonArray tags = new JsonArray();
                d.tags().forEach(t -> tags.add(announced(new JsonObject().put("tag", t.tag())
                        .put("versionId", t.versionId()).put("latestVersion", t.latestVersion())
                        .put("updatedAt", t.updatedAt().toString()), t.unannounced())));
                items.add(new JsonObject().put("name", d.name()).put("tags", tags));
            }
            return new JsonObject().put("items", items).put("page", new JsonObject().put("page", page)
                    .put("pageSize", size).put("total", dirs.total()));
        }, false).onSuccess(a -> HttpErrors.json(ctx, 200, a)).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    @Override
    protected Future<Void> halt() {
        ready = false;
        if (drainLoop != null) {
            drainLoop.stop(Duration.ofSeconds(10));
        }
        return Future.succeededFuture();
    }

    /** Serving, and the outbox drain is working (it reports DOWN while the store or its run fails). */
    @Override
    public boolean ready() {
        return ready && drainLoop != null && drainLoop.isUp();
    }
}
