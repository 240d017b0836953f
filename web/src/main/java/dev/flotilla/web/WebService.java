package dev.flotilla.web;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.FlotillaService;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.access.Access;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The web UI, served from the classpath by the process that serves the API: {@code GET /} (the
 * app, or a redirect to the sign-in page when the request carries no valid session cookie),
 * {@code GET /signin} (a form that posts the token to {@code POST /ui/session}, which the fabric
 * serves) and the static files under {@code /ui/}. None of them holds data: the app's scripts read
 * the JSON API and its event stream with the session cookie, so every datum stays behind the
 * scope its API route needs. Every answer forbids framing, inline scripts and foreign sources.
 */
public final class WebService implements FlotillaService {
    /** Only this origin's scripts, styles, images and connections; no frames, no plugins. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String ROOT = "flotilla-web";
    private static final String SESSION_COOKIE = "flotilla_session";
    private Access access;
    private WorkerExecutor lookups;
    private String appPage;
    private String signinPage;
    private volatile boolean ready;

    @Override
    public String name() {
        return "web";
    }

    @Override
    public Future<Void> start(ServiceHost host) {
        access = host.access();
        if (access == null) {
            return Future.failedFuture(new IllegalStateException("the web UI needs a process with a store, to check"
                    + " sign-ins against its tokens"));
        }
        appPage = resource("app.html");
        signinPage = resource("signin.html");
        lookups = host.vertx().createSharedWorkerExecutor("flotilla-web-session", 2);
        Api api = host.api();
        api.page("/", this::app);
        api.page("/signin", this::signin);
        StaticHandler files = StaticHandler.create(ROOT + "/ui").setCachingEnabled(true).setMaxAgeSeconds(0)
                .setDirectoryListing(false).setIncludeHidden(false).setDefaultContentEncoding("UTF-8");
        api.page("/ui/*", ctx -> {
            secure(ctx.response());
            files.handle(ctx);
        });
        ready = true;
        return Future.succeededFuture();
    }

    /** The app for a signed-in browser; anyone else goes to the sign-in page, and back here after it. */
    private void app(RoutingContext ctx) {
        Cookie session = ctx.request().getCookie(SESSION_COOKIE);
        String token = session == null ? null : session.getValue();
        if (token == null || token.isBlank()) {
            toSignin(ctx);
            return;
        }
        if (access.remembered(token).isPresent()) {
            page(ctx, appPage);
            return;
        }
        lookups.executeBlocking(() -> access.authenticate(token), false).onComplete(ar -> {
            if (ar.succeeded()) {
                page(ctx, appPage);
            } else {
                toSignin(ctx);
            }
        });
    }

    private static void toSignin(RoutingContext ctx) {
        String next = ctx.request().uri();
        ctx.response().setStatusCode(303).putHeader("location", "/signin?next="
                + URLEncoder.encode(next == null ? "/" : next, StandardCharsets.UTF_8))
                .putHeader("cache-control", "no-store").end();
    }

    /** The sign-in form, with the reason the last attempt failed and where to go after it, escaped. */
    private void signin(RoutingContext ctx) {
        String error = ctx.queryParams().get("error");
        String next = ctx.queryParams().get("next");
        String html = signinPage.replace("{{next}}", Html.escape(next == null || !next.startsWith("/") ? "/" : next))
                .replace("{{error}}", error == null || error.isBlank() ? ""
                        : "<p class=\"error\" role=\"alert\">" + Html.escape(error) + "</p>");
        page(ctx, html);
    }

    private static void page(RoutingContext ctx, String html) {
        HttpServerResponse r = ctx.response();
        secure(r);
        r.putHeader("content-type", "text/html; charset=utf-8").putHeader("cache-control", "no-store").end(html);
    }

    /** The headers every page and file of the UI carries. */
    static void secure(HttpServerResponse r) {
        r.putHeader("content-security-policy", CSP).putHeader("x-frame-options", "DENY")
                .putHeader("x-content-type-options", "nosniff").putHeader("referrer-policy", "same-origin");
    }

    private static String resource(String name) {
        try (InputStream in = WebService.class.getClassLoader().getResourceAsStream(ROOT + "/" + name)) {
            if (in == null) {
                throw new IllegalStateException(ROOT + "/" + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Future<Void> stop() {
        ready = false;
        if (lookups != null) {
            lookups.close();
        }
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return ready;
    }
}
