package dev.flotilla.fabric;

import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.Principal;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Browser sign-in with an API token: {@code POST /ui/session} (a form with the token) keeps the
 * token in an HttpOnly, SameSite=Strict cookie, so a page's scripts never hold it, and sets a
 * second, readable cookie with a random CSRF token. A request authenticated by the cookie that
 * changes something must repeat that CSRF token in the {@code X-CSRF-Token} header (double
 * submit): a page of another site can neither read the cookie nor set the header. The
 * {@link BrowserGuard}'s origin check applies too.
 */
final class Sessions {
    static final String SESSION_COOKIE = "flotilla_session";
    static final String CSRF_COOKIE = "flotilla_csrf";
    static final String CSRF_HEADER = "x-csrf-token";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private Sessions() {
    }

    /** The credential of a request: the bearer token, else the session cookie's (then CSRF-checked). */
    record Credential(String token, boolean fromCookie, String csrfProblem) {
    }

    static Credential credential(RoutingContext ctx) {
        String bearer = BrowserGuard.bearer(ctx);
        if (bearer != null) {
            return new Credential(bearer, false, null);
        }
        Cookie session = ctx.request().getCookie(SESSION_COOKIE);
        if (session == null || session.getValue().isBlank()) {
            return new Credential(null, false, null);
        }
        String problem = null;
        if (!SAFE.contains(ctx.request().method())) {
            Cookie csrf = ctx.request().getCookie(CSRF_COOKIE);
            String header = ctx.request().getHeader(CSRF_HEADER);
            if (csrf == null || header == null || !MessageDigest.isEqual(csrf.getValue().getBytes(StandardCharsets.UTF_8),
                    header.getBytes(StandardCharsets.UTF_8))) {
                problem = "a signed-in browser request that changes something must carry the X-CSRF-Token header"
                        + " with the value of the flotilla_csrf cookie; reload the page";
            }
        }
        return new Credential(session.getValue(), true, problem);
    }

    /** Installs the sign-in, sign-out and who-am-I routes. */
    static void install(Api api, io.vertx.ext.web.Router router, Access access, WorkerExecutor lookups) {
        api.declareOpen(HttpMethod.POST, "/ui/session", FORM, 4096);
        router.post("/ui/session").handler(BrowserGuard.contentType(FORM))
                .handler(BodyHandler.create(false).setBodyLimit(4096))
                .handler(ctx -> signIn(ctx, access, lookups));
        api.declareOpen(HttpMethod.POST, "/ui/session/delete", null, 0);
        router.post("/ui/session/delete").handler(Sessions::signOut);
        api.route(HttpMethod.GET, "/api/v1/whoami", Set.of(dev.flotilla.fabric.access.Scope.values()), ctx -> {
            Principal p = Api.principal(ctx);
            JsonArray grants = new JsonArray();
            p.grants().forEach(g -> grants.add(g.toString()));
            HttpErrors.json(ctx, 200, new JsonObject().put("name", p.name()).put("grants", grants));
        });
    }

    private static void signIn(RoutingContext ctx, Access access, WorkerExecutor lookups) {
        String token = ctx.request().getFormAttribute("token");
        String next = safeNext(ctx.request().getFormAttribute("next"));
        if (token == null || token.isBlank()) {
            redirect(ctx, "/signin?error=" + encode("paste an API token (flt_…)"));
            return;
        }
        String t = token.trim();
        lookups.executeBlocking(() -> access.authenticate(t), false).onComplete(ar -> {
            if (ar.failed()) {
                redirect(ctx, "/signin?error=" + encode(ar.cause().getMessage()));
                return;
            }
            boolean secure = "https".equals(ctx.request().scheme());
            ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, t).setHttpOnly(true).setSecure(secure)
                    .setSameSite(CookieSameSite.STRICT).setPath("/"));
            byte[] csrf = new byte[24];
            RANDOM.nextBytes(csrf);
            ctx.response().addCookie(Cookie.cookie(CSRF_COOKIE, HexFormat.of().formatHex(csrf)).setSecure(secure)
                    .setSameSite(CookieSameSite.STRICT).setPath("/"));
            redirect(ctx, next);
        });
    }

    private static void signOut(RoutingContext ctx) {
        ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, "").setPath("/").setMaxAge(0).setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT));
        ctx.response().addCookie(Cookie.cookie(CSRF_COOKIE, "").setPath("/").setMaxAge(0)
                .setSameSite(CookieSameSite.STRICT));
        redirect(ctx, "/signin");
    }

    /** A local path to go to after signing in; anything else (another host, a scheme) goes home. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
                || next.chars().anyMatch(c -> c < 0x20)) {
            return "/";
        }
        return next;
    }

    private static void redirect(RoutingContext ctx, String to) {
        ctx.response().setStatusCode(303).putHeader("location", to).putHeader("cache-control", "no-store").end();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
