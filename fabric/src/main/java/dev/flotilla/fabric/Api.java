package dev.flotilla.fabric;

import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.AuditEvent;
import dev.flotilla.fabric.access.Principal;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every route of a process, declared with what guards it: the scope its token needs (or none, for
 * the health routes), the one content type its body may have, and how large that body may be.
 * Routes are only added here, so {@link #routes()} is the whole API, and a test holds each of them
 * to its declaration. Before any route, {@link BrowserGuard} refuses foreign hosts and origins.
 */
public final class Api {
    /** The largest JSON body a route takes. */
    public static final long JSON_LIMIT = 64 * 1024;
    private static final String PRINCIPAL = "flotilla.principal";
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    /**
     * How a route is guarded.
     *
     * @param scopes the scopes of which its token needs one; empty for an open route
     * @param contentType the only media type its body may have; null for a route without a body
     * @param maxBody the largest body it takes, in bytes (0 without a body)
     */
    public record RouteSpec(HttpMethod method, String path, Set<Scope> scopes, String contentType, long maxBody) {
        public RouteSpec {
            scopes = scopes.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(scopes));
        }
    }

    private final Router router;
    private final Access access;
    private final WorkerExecutor lookups;
    private final List<RouteSpec> specs = new CopyOnWriteArrayList<>();

    /**
     * @param access how tokens are checked; null in a process without a store (the worker), which
     *     then serves only open routes
     */
    Api(Router router, Vertx vertx, Access access, HttpSettings settings) {
        this.router = router;
        this.access = access;
        this.lookups = vertx.createSharedWorkerExecutor("flotilla-http-auth", 2);
        BrowserGuard.install(router, settings);
        if (access != null) {
            Sessions.install(this, router, access, lookups);
        }
    }

    /**
     * Declares an open route that a caller installs itself (sign-in, pages and files that hold no
     * data); {@link #routes()} lists it, and the scope test holds it to being open.
     */
    void declareOpen(HttpMethod method, String path, String contentType, long maxBody) {
        specs.add(new RouteSpec(method, path, Set.of(), contentType, maxBody));
    }

    /** Pages and files anyone may fetch because they hold no data (the web UI's, the API's description). */
    public void page(String path, Handler<RoutingContext> handler) {
        open(HttpMethod.GET, path, handler);
    }

    /** A route anyone may call (health). */
    public void open(HttpMethod method, String path, Handler<RoutingContext> handler) {
        specs.add(new RouteSpec(method, path, Set.of(), null, 0));
        router.route(method, path).handler(handler);
    }

    /** A route without a body, for a token with one of {@code scopes}. */
    public void route(HttpMethod method, String path, Set<Scope> scopes, Handler<RoutingContext> handler) {
        needsAccess(method, path, scopes);
        specs.add(new RouteSpec(method, path, scopes, null, 0));
        router.route(method, path).handler(authenticated(scopes)).handler(handler);
    }

    /** {@code GET} without a body, for a token with {@code scope}. */
    public void get(String path, Scope scope, Handler<RoutingContext> handler) {
        route(HttpMethod.GET, path, Set.of(scope), handler);
    }

    /** A route whose body is JSON of at most {@link #JSON_LIMIT} bytes. */
    public void json(HttpMethod method, String path, Scope scope, Handler<RoutingContext> handler) {
        withBody(method, path, scope, "application/json", JSON_LIMIT, handler);
    }

    /** A route whose body has exactly {@code contentType} and at most {@code maxBody} bytes. */
    public void withBody(HttpMethod method, String path, Scope scope, String contentType, long maxBody,
            Handler<RoutingContext> handler) {
        needsAccess(method, path, Set.of(scope));
        specs.add(new RouteSpec(method, path, Set.of(scope), contentType, maxBody));
        Route r = router.route(method, path);
        r.handler(BrowserGuard.contentType(contentType)).handler(authenticated(Set.of(scope)))
                .handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(handler);
    }

    /** Every route declared so far. */
    public List<RouteSpec> routes() {
        return List.copyOf(specs);
    }

    /** Whether tokens can be checked here (the process has a store). */
    public boolean guarded() {
        return access != null;
    }

    /** Who made the request; set on every route that needs a scope. */
    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    /**
     * Checks that the request's token may act on the object {@code name} (a directory, an env); a
     * refusal is recorded in the audit trail before it is thrown.
     *
     * @throws FlotillaException FORBIDDEN
     */
    public void require(RoutingContext ctx, Scope scope, String kind, String name) {
        try {
            principal(ctx).require(scope, kind, name);
        } catch (FlotillaException e) {
            denied(ctx, e.getMessage());
            throw e;
        }
    }

    /** Records a refused request that would have changed something; never blocks the event loop. */
    private void denied(RoutingContext ctx, String why) {
        if (access == null || SAFE.contains(ctx.request().method())) {
            return;
        }
        AuditEvent e = event(ctx, "request.denied", ctx.request().method() + " " + ctx.request().path(), "denied", why);
        lookups.executeBlocking(() -> {
            access.audit().record(e);
            return null;
        }, false).onFailure(x -> LOG.warn("could not record a denied request in the audit trail: {}", x.getMessage()));
    }

    /** An audit event for this request: its token as the actor, its client as the source. */
    public static AuditEvent event(RoutingContext ctx, String action, String object, String outcome, String detail) {
        Principal p = principal(ctx);
        return AuditEvent.of(p == null ? "anonymous" : p.name(), action, object, outcome,
                ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress(), detail);
    }

    private void needsAccess(HttpMethod method, String path, Set<Scope> scopes) {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException(method + " " + path + ": a guarded route needs at least one scope");
        }
        if (access == null) {
            throw new IllegalStateException(method + " " + path + " needs a token, and this process has no store to"
                    + " check tokens against");
        }
    }

    /**
     * Checks the token before anything else of the request is read: a security-policy handler, so
     * that Vert.x runs it ahead of the body handler and an unauthenticated client cannot make the
     * server buffer a body.
     */
    private SecurityPolicyHandler authenticated(Set<Scope> scopes) {
        return ctx -> {
            Sessions.Credential credential = Sessions.credential(ctx);
            String token = credential.token();
            if (token == null) {
                unauthenticated(ctx, "this request needs an API token with scope " + words(scopes) + "; pass it"
                        + " with --token or FLOTILLA_TOKEN (header 'Authorization: Bearer flt_…')");
                return;
            }
            if (credential.csrfProblem() != null) {
                HttpErrors.fail(ctx, new FlotillaException(ErrorCode.FORBIDDEN, credential.csrfProblem()));
                return;
            }
            var known = access.remembered(token);
            if (known.isPresent()) {
                authorize(ctx, scopes, known.get());
                return;
            }
            ctx.request().pause(); // the body handler behind this one resumes it
            lookups.executeBlocking(() -> access.authenticate(token), false).onComplete(ar -> {
                if (ar.failed()) {
                    ctx.request().resume();
                    unauthenticated(ctx, ar.cause().getMessage());
                } else {
                    authorize(ctx, scopes, ar.result());
                }
            });
        };
    }

    private void authorize(RoutingContext ctx, Set<Scope> scopes, Principal p) {
        ctx.put(PRINCIPAL, p);
        if (scopes.stream().noneMatch(s -> p.allows(s, null))) {
            ctx.request().resume();
            FlotillaException e = new FlotillaException(ErrorCode.FORBIDDEN, "token \"" + p.name() + "\" holds "
                    + p.grantsText() + "; " + ctx.request().method() + " " + ctx.request().path() + " needs scope "
                    + words(scopes));
            denied(ctx, e.getMessage());
            HttpErrors.fail(ctx, e);
            return;
        }
        ctx.next();
    }

    private static String words(Set<Scope> scopes) {
        return String.join(" or ", scopes.stream().map(Scope::word).toList());
    }

    private static void unauthenticated(RoutingContext ctx, String message) {
        ctx.response().putHeader("www-authenticate", "Bearer realm=\"flotilla\"");
        HttpErrors.json(ctx, 401, new JsonObject().put("error", message).put("code", ErrorCode.UNAUTHENTICATED.name()));
    }
}
