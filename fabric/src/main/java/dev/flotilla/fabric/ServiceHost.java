package dev.flotilla.fabric;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The process around one or more services: one Vert.x, one HTTP server with {@code /metrics}
 * (Prometheus) and {@code /health/ready}, one meter registry. Services add their routes.
 */
public final class ServiceHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHost.class);

    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final Router router;
    private final List<FlotillaService> services = new ArrayList<>();
    private final String bootstrapServers;
    private final ServiceStore store;
    private HttpServer server;

    public ServiceHost(String bootstrapServers, ServiceStore store, long maxBodyBytes) {
        this.bootstrapServers = bootstrapServers;
        this.store = store;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        this.router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(maxBodyBytes));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
        router.get("/health/ready").handler(ctx -> {
            JsonObject body = new JsonObject();
            boolean all = true;
            for (FlotillaService s : services) {
                body.put(s.name(), s.ready() ? "UP" : "DOWN");
                all &= s.ready();
            }
            ctx.response().setStatusCode(all ? 200 : 503).putHeader("content-type", "application/json")
                    .end(body.put("status", all ? "UP" : "DOWN").encode());
        });
        router.get("/health/live").handler(ctx -> ctx.response().end("{\"status\":\"UP\"}"));
    }

    public Vertx vertx() {
        return vertx;
    }

    public Router router() {
        return router;
    }

    public MeterRegistry meters() {
        return registry;
    }

    public String bootstrapServers() {
        return bootstrapServers;
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

    /** Listens for HTTP on {@code port} (0 picks a free one) on all interfaces. */
    public Future<Integer> listen(String host, int port) {
        return vertx.createHttpServer().requestHandler(router).listen(port, host).map(s -> {
            server = s;
            return s.actualPort();
        });
    }

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
        vertx.close().toCompletionStage().toCompletableFuture().join();
        registry.close();
    }
}
