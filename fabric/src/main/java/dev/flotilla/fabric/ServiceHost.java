package dev.flotilla.fabric;

import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.JdbcAuditTrail;
import dev.flotilla.fabric.access.JdbcTokenStore;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.fabric.access.Tokens;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The process around one or more services: one Vert.x, one HTTP server with {@code /metrics}
 * (Prometheus), {@code /health/live} and {@code /health/ready}, one meter registry, and the
 * {@link Api} through which services add their routes. With a store, API tokens are checked
 * against it and its audit trail is kept there.
 */
public final class ServiceHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHost.class);

    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final Router router;
    private final Api api;
    private final Access access;
    private final List<FlotillaService> services = new ArrayList<>();
    private final KafkaSettings kafka;
    private final ServiceStore store;
    private final HttpSettings settings;
    private final Dependencies dependencies;
    private HttpServer server;

    /**
     * @param store the services' store; null for a process without one (the worker)
     */
    public ServiceHost(KafkaSettings kafka, ServiceStore store, HttpSettings settings) {
        this(kafka, store, store == null ? null : access(store, settings), settings);
    }

    /**
     * A host whose tokens and audit trail are {@code access} (null: only open routes), whatever the store.
     */
    public ServiceHost(KafkaSettings kafka, ServiceStore store, Access access, HttpSettings settings) {
        this.kafka = kafka;
        this.store = store;
        this.settings = settings;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(httpMetrics()))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        this.router = Router.router(vertx);
        this.access = access;
        this.api = new Api(router, vertx, access, settings);
        this.dependencies = new Dependencies(vertx, kafka, store);
        dependencies.start();
        api.open(HttpMethod.GET, "/health/ready", this::readiness);
        api.open(HttpMethod.GET, "/health/live", ctx -> ctx.response().putHeader("content-type", "application/json")
                .end("{\"status\":\"UP\"}"));
        api.open(HttpMethod.GET, "/metrics", this::metrics);
    }

    /**
     * Vert.x' metrics, with HTTP requests counted by method, route and status class:
     * {@code vertx_http_server_requests_total{method, route, code}}. The route is the template a
     * request matched, as declared through {@link Api} ({@code /api/v1/deployment-sets/:id}), never
     * the path asked for, which holds set ids and tenant names; a request no route matched has an
     * empty route. Codes are folded into their class ({@code 2xx}…{@code 5xx}), so the series stay a
     * few per route.
     */
    static MicrometerMetricsOptions httpMetrics() {
        MicrometerMetricsOptions o = new MicrometerMetricsOptions().setEnabled(true).addLabels(Label.HTTP_ROUTE);
        for (int c = 1; c <= 5; c++) {
            o.addLabelMatch(new Match().setLabel(Label.HTTP_CODE.toString()).setType(MatchType.REGEX)
                    .setValue(c + "\\d\\d").setAlias(c + "xx"));
        }
        return o;
    }

    private static Access access(ServiceStore store, HttpSettings settings) {
        store.migrate(JdbcTokenStore.DDL);
        store.migrate(JdbcAuditTrail.DDL);
        Access a = new Access(new JdbcTokenStore(store), new JdbcAuditTrail(store), Clock.systemUTC());
        String boot = settings.bootstrapToken();
        if (boot != null) {
            if (!Tokens.wellFormed(boot)) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "FLOTILLA_ADMIN_TOKEN is not a Flotilla token;"
                        + " create one with 'flotilla token generate'");
            }
            if (a.tokens().ensure("bootstrap-admin", List.of(new Grant(Scope.ADMIN, List.of())), Tokens.hash(boot),
                    Tokens.hint(boot))) {
                LOG.info("stored the bootstrap admin token {} from FLOTILLA_ADMIN_TOKEN", Tokens.hint(boot));
            }
        }
        String worker = settings.workerToken();
        if (worker != null) {
            if (!Tokens.wellFormed(worker)) {
                throw new FlotillaException(ErrorCode.CONFIG_INVALID, "FLOTILLA_WORKER_TOKEN is not a Flotilla token;"
                        + " create one with 'flotilla token generate'");
            }
            if (a.tokens().ensure("bootstrap-worker", List.of(new Grant(Scope.DEPLOY, List.of())), Tokens.hash(worker),
                    Tokens.hint(worker))) {
                LOG.info("stored the bootstrap worker token {} (scope deploy) from FLOTILLA_WORKER_TOKEN",
                        Tokens.hint(worker));
            }
        }
        return a;
    }

    private void readiness(RoutingContext ctx) {
        JsonObject body = new JsonObject();
        boolean all = dependencies.report(body);
        for (FlotillaService s : services) {
            body.put(s.name(), s.ready() ? "UP" : "DOWN");
            all &= s.ready();
        }
        ctx.response().setStatusCode(all ? 200 : 503).putHeader("content-type", "application/json")
                .end(body.put("status", all ? "UP" : "DOWN").encode());
    }

    private void metrics(RoutingContext ctx) {
        String expected = settings.metricsToken();
        if (expected != null) {
            String given = BrowserGuard.bearer(ctx);
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    expected.getBytes(StandardCharsets.UTF_8))) {
                ctx.response().putHeader("www-authenticate", "Bearer realm=\"flotilla-metrics\"");
                HttpErrors.json(ctx, 401, new JsonObject().put("error", "/metrics needs the metrics token"
                        + " (--metrics-token, FLOTILLA_METRICS_TOKEN) as a bearer token")
                        .put("code", ErrorCode.UNAUTHENTICATED.name()));
                return;
            }
        }
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Where services declare their routes. */
    public Api api() {
        return api;
    }

    /** Tokens and the audit trail; null in a process without a store. */
    public Access access() {
        return access;
    }

    /** The routes the router holds, as {@code METHOD path} ({@code * path} for any method): for the API's own checks. */
    public List<String> routerRoutes() {
        List<String> out = new ArrayList<>();
        for (Route r : router.getRoutes()) {
            if (r.getPath() == null) {
                continue; // the guards in front of every route
            }
            if (r.methods() == null || r.methods().isEmpty()) {
                out.add("* " + r.getPath());
            } else {
                r.methods().forEach(m -> out.add(m.name() + " " + r.getPath()));
            }
        }
        return out;
    }

    public MeterRegistry meters() {
        return registry;
    }

    /** How the services reach Kafka. */
    public KafkaSettings kafka() {
        return kafka;
    }

    /** The service store; null for services without one (the worker). */
    public ServiceStore store() {
        return store;
    }

    /** Starts a service on this host. */
    public Future<Void> deploy(FlotillaService s) {
        services.add(s);
        return s.start(this).onSuccess(v -> LOG.info("{} started", s.name()));
    }

    /**
     * Listens for HTTP on {@code port} (0 picks a free one) of {@code host}. Plain-text HTTP/2 (h2c) is off:
     * Java's HttpClient asks every first request to upgrade, and an upgraded connection once answered a large
     * body in HTTP/1 framing, which the client read as a bad HTTP/2 frame. Nothing here gains from h2c; TLS
     * in front of Flotilla negotiates HTTP/2 with its clients by ALPN.
     */
    public Future<Integer> listen(String host, int port) {
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(router).listen(port, host).map(s -> {
            server = s;
            return s.actualPort();
        });
    }

    /** Whether every service is ready (its dependencies aside: see {@code /health/ready} for those). */
    public boolean ready() {
        return services.stream().allMatch(FlotillaService::ready);
    }

    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).stop().toCompletionStage().toCompletableFuture().get();
            } catch (Exception e) {
                LOG.warn("{} did not stop cleanly", services.get(i).name(), e);
            }
        }
        if (server != null) {
            server.close();
        }
        dependencies.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        registry.close();
    }
}
