package dev.flotilla.openapi;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.FlotillaService;
import dev.flotilla.fabric.ServiceHost;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The API's description and a reader for it: {@code GET /api/v1/openapi.yaml} (OpenAPI 3.1, the
 * classpath resource {@link #RESOURCE}) and Swagger UI at {@code GET /api/v1/docs}, from the
 * swagger-ui webjar. Both are open: they hold no data, only what the routes are.
 *
 * <p>Every file is its own declared route (no wildcard), so the route list, the scope test and
 * the document all name the same paths. The page carries no inline script or style: Swagger UI is
 * started by {@code swagger-initializer.js}, so it runs under the strict Content-Security-Policy
 * the page is sent with.
 */
public final class OpenApiService implements FlotillaService {
    /** Where the document is served. */
    public static final String DOCUMENT_PATH = "/api/v1/openapi.yaml";
    /** Where Swagger UI is served; its files are below it. */
    public static final String DOCS_PATH = "/api/v1/docs";
    /** The document on the classpath. */
    public static final String RESOURCE = "dev/flotilla/openapi/openapi.yaml";
    /** The Swagger UI release whose webjar is on the classpath (the parent POM's swagger-ui.version). */
    static final String SWAGGER_UI_VERSION = "5.35.0";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/" + SWAGGER_UI_VERSION + "/";
    private static final String OWN = "dev/flotilla/openapi/";
    /**
     * Scripts and styles only from this server; Swagger UI sets element styles from its script
     * (allowed by {@code 'unsafe-inline'} for styles only) and shows its logo as a data: image.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    /** A file of the docs: its path below {@link #DOCS_PATH}, its classpath resource, its media type. */
    private record Asset(String path, String resource, String contentType) {
    }

    private static final List<Asset> ASSETS = List.of(
            new Asset(DOCS_PATH, OWN + "docs.html", "text/html; charset=utf-8"),
            new Asset(DOCS_PATH + "/swagger-initializer.js", OWN + "swagger-initializer.js",
                    "text/javascript; charset=utf-8"),
            new Asset(DOCS_PATH + "/swagger-ui.css", WEBJAR + "swagger-ui.css", "text/css; charset=utf-8"),
            new Asset(DOCS_PATH + "/swagger-ui-bundle.js", WEBJAR + "swagger-ui-bundle.js",
                    "text/javascript; charset=utf-8"));

    @Override
    public String name() {
        return "openapi";
    }

    /** Reads the document and the docs' files once, then declares a route for each. */
    @Override
    public Future<Void> start(ServiceHost host) {
        Api api = host.api();
        Buffer document = Buffer.buffer(read(RESOURCE));
        api.page(DOCUMENT_PATH, ctx -> send(ctx, document, "application/yaml; charset=utf-8"));
        for (Asset a : ASSETS) {
            Buffer body = Buffer.buffer(read(a.resource()));
            api.page(a.path(), ctx -> send(ctx, body, a.contentType()));
        }
        return Future.succeededFuture();
    }

    private static void send(RoutingContext ctx, Buffer body, String contentType) {
        ctx.response().putHeader("content-type", contentType).putHeader("x-content-type-options", "nosniff")
                .putHeader("content-security-policy", CSP).putHeader("cache-control", "no-cache").end(body);
    }

    /**
     * A classpath resource's bytes.
     *
     * @throws IllegalStateException when it is missing: the jar was built without it
     */
    static byte[] read(String resource) {
        try (InputStream in = OpenApiService.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath; the openapi module (or the"
                        + " org.webjars:swagger-ui:" + SWAGGER_UI_VERSION + " jar) is missing from this build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    @Override
    public Future<Void> stop() {
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return true;
    }
}
