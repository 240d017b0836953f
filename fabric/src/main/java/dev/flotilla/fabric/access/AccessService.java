package dev.flotilla.fabric.access;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.Requests;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.StoreBackedService;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Tokens and the audit trail over HTTP, for admins: {@code GET/POST /api/v1/tokens},
 * {@code DELETE /api/v1/tokens/{id}}, {@code GET /api/v1/audit}. A new token's text is in the
 * answer that creates it and nowhere else. No route changes or removes an audit entry.
 */
public final class AccessService extends StoreBackedService {
    private Access access;

    @Override
    public String name() {
        return "access";
    }

    @Override
    protected int jdbcThreads() {
        return 2;
    }

    @Override
    protected void prepare(ServiceHost host) {
        access = host.access();
    }

    @Override
    protected void serve(ServiceHost host) {
        Api api = host.api();
        api.get("/api/v1/tokens", Scope.ADMIN, ctx -> answer(ctx, 200, () -> tokens()));
        api.json(HttpMethod.POST, "/api/v1/tokens", Scope.ADMIN, this::create);
        api.route(HttpMethod.DELETE, "/api/v1/tokens/:id", Set.of(Scope.ADMIN), this::revoke);
        api.get("/api/v1/audit", Scope.ADMIN, this::audit);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = Requests.jsonBody(ctx, Set.of("name", "scopes"));
        String name = Requests.requiredString(body, "name");
        List<Grant> grants = grants(body);
        var event = Api.event(ctx, "token.create", "token " + name, "ok", "scopes " + grants);
        answer(ctx, 201, () -> {
            Access.Created c = access.create(name, grants, event.actor());
            access.audit().record(event);
            return json(c.token()).put("token", c.text());
        });
    }

    private static List<Grant> grants(JsonObject body) {
        Object v = body.getValue("scopes");
        if (!(v instanceof JsonArray a) || a.isEmpty()) {
            throw Requests.invalid("field \"scopes\" must be a non-empty array of scopes, e.g. [\"push:app\", \"read\"]");
        }
        List<Grant> out = new ArrayList<>();
        for (Object g : a) {
            if (!(g instanceof String s)) {
                throw Requests.invalid("field \"scopes\" holds " + g + "; each scope is a string");
            }
            try {
                out.add(Grant.parse(s));
            } catch (FlotillaException e) {
                throw Requests.invalid(e.getMessage());
            }
        }
        return out;
    }

    private void revoke(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        var event = Api.event(ctx, "token.revoke", "token " + id, "ok", null);
        answer(ctx, 200, () -> {
            StoredToken t = access.revoke(id).orElseThrow(() -> new FlotillaException(ErrorCode.NOT_FOUND,
                    "no active token has number or name \"" + id + "\"; 'flotilla token list' shows them"));
            access.audit().record(event);
            return json(t);
        });
    }

    private void audit(RoutingContext ctx) {
        String action = ctx.queryParams().get("action");
        String actor = ctx.queryParams().get("actor");
        int before = Requests.intParam(ctx, "before", 0, 0, Integer.MAX_VALUE);
        int limit = Requests.intParam(ctx, "limit", 50, 1, 500);
        answer(ctx, 200, () -> {
            JsonArray items = new JsonArray();
            access.audit().list(action, actor, before, limit).forEach(e -> items.add(new JsonObject()
                    .put("seq", e.seq()).put("at", e.at().toString()).put("actor", e.actor())
                    .put("action", e.action()).put("object", e.object()).put("outcome", e.outcome())
                    .put("source", e.source()).put("detail", e.detail())));
            return new JsonObject().put("items", items);
        });
    }

    private JsonObject tokens() {
        JsonArray items = new JsonArray();
        access.tokens().list().forEach(t -> items.add(json(t)));
        return new JsonObject().put("items", items);
    }

    private static JsonObject json(StoredToken t) {
        return new JsonObject().put("id", t.id()).put("name", t.name())
                .put("scopes", new JsonArray(t.grants().stream().map(Grant::toString).toList()))
                .put("hint", t.hint()).put("createdAt", t.createdAt().toString()).put("createdBy", t.createdBy())
                .put("lastUsedAt", text(t.lastUsedAt())).put("revokedAt", text(t.revokedAt()))
                .put("status", t.active() ? "ACTIVE" : "REVOKED");
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private void answer(RoutingContext ctx, int status, Callable<JsonObject> work) {
        jdbc().executeBlocking(work, false).onSuccess(j -> HttpErrors.json(ctx, status, j))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    @Override
    protected Future<Void> halt() {
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return access != null;
    }
}
