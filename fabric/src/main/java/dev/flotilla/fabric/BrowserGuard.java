package dev.flotilla.fabric;

import dev.flotilla.migrate.ErrorCode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.util.Locale;
import java.util.Set;

/**
 * What keeps a web page from using the API through the browser of someone who may: a request must
 * name an allowed {@code Host} (no DNS rebinding), a request that changes something must come from
 * no browser page or from an allowed origin, and its body must have the route's own content type
 * (a cross-site form can only send {@code text/plain}, form or multipart bodies). The health routes
 * and {@code /metrics} skip the host check: probes and scrapers call them by address.
 */
final class BrowserGuard {
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private BrowserGuard() {
    }

    static void install(Router router, HttpSettings settings) {
        router.route().order(-1000).handler(ctx -> check(ctx, settings));
        router.route().failureHandler(BrowserGuard::failed);
        router.errorHandler(404, ctx -> refuse(ctx, 404, ErrorCode.NOT_FOUND, "no route " + ctx.request().method()
                + " " + ctx.request().path() + "; the API is under /api/v1"));
        router.errorHandler(405, ctx -> refuse(ctx, 405, ErrorCode.REQUEST_INVALID, ctx.request().method()
                + " is not allowed on " + ctx.request().path()));
    }

    /** A handler threw, or a handler before it (the body limit) failed the request with a status. */
    private static void failed(RoutingContext ctx) {
        if (ctx.failure() != null) {
            HttpErrors.fail(ctx, ctx.failure());
        } else if (ctx.statusCode() == 413) {
            refuse(ctx, 413, ErrorCode.REQUEST_INVALID, "the request body of " + ctx.request().method() + " "
                    + ctx.request().path() + " is larger than this route takes");
        } else {
            refuse(ctx, ctx.statusCode() < 400 ? 500 : ctx.statusCode(), ErrorCode.REQUEST_INVALID,
                    ctx.request().method() + " " + ctx.request().path() + " failed with status " + ctx.statusCode());
        }
    }

    private static void check(RoutingContext ctx, HttpSettings settings) {
        String path = ctx.request().path();
        boolean probe = path.startsWith("/health/") || path.equals("/metrics");
        HostAndPort authority = ctx.request().authority();
        String host = authority == null ? null : authority.host();
        if (!probe && !settings.hostAllowed(host)) {
            refuse(ctx, 421, ErrorCode.FORBIDDEN, "this server does not answer to host \"" + host + "\"; if that"
                    + " is its name, add it with --allowed-hosts (FLOTILLA_ALLOWED_HOSTS)");
            return;
        }
        String origin = ctx.request().getHeader("origin");
        if (origin != null && !SAFE.contains(ctx.request().method()) && !sameOrigin(ctx, origin)
                && !settings.allowedOrigins().contains(origin)) {
            refuse(ctx, 403, ErrorCode.FORBIDDEN, "requests from pages of " + origin + " may not change anything;"
                    + " allow that origin with --allowed-origins if it is yours");
            return;
        }
        ctx.next();
    }

    private static boolean sameOrigin(RoutingContext ctx, String origin) {
        HostAndPort a = ctx.request().authority();
        if (a == null) {
            return false;
        }
        String own = ctx.request().scheme() + "://" + a.host() + (a.port() > 0 ? ":" + a.port() : "");
        return own.equalsIgnoreCase(origin);
    }

    /**
     * Refuses a body of any other media type than {@code expected} (parameters such as charset aside),
     * before the body is read.
     */
    static SecurityPolicyHandler contentType(String expected) {
        return ctx -> {
            String got = ctx.request().getHeader("content-type");
            String media = got == null ? "" : got.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!media.equals(expected)) {
                refuse(ctx, 415, ErrorCode.REQUEST_INVALID, ctx.request().method() + " " + ctx.request().path()
                        + " takes a body of type " + expected + ", not " + (got == null ? "none" : "\"" + got + "\""));
                return;
            }
            ctx.next();
        };
    }

    /** The bearer token of the request, or null. */
    static String bearer(RoutingContext ctx) {
        String h = ctx.request().getHeader("authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = h.substring(7).trim();
        return t.isEmpty() ? null : t;
    }

    private static void refuse(RoutingContext ctx, int status, ErrorCode code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        HttpErrors.json(ctx, status, new JsonObject().put("error", message).put("code", code.name()));
    }
}
