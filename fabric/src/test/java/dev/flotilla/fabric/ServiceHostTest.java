package dev.flotilla.fabric;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP host every service shares: health routes, metrics, and how failures become answers. */
class ServiceHostTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private ServiceHost host;
    private int port;

    @BeforeEach
    void start() throws Exception {
        host = new ServiceHost(KafkaSettings.plain(null), null, HttpSettings.loopback());
        host.api().open(HttpMethod.GET, "/fail/:code", ctx -> HttpErrors.fail(ctx, new FlotillaException(
                ErrorCode.valueOf(ctx.pathParam("code")), "cannot reach postgres://app:s3cret@db:5432/tenant_1")));
        host.api().open(HttpMethod.GET, "/bug", ctx -> {
            throw new IllegalStateException("internal detail: postgres://app:s3cret@db/x");
        });
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void answersAClientAskingForHttp2InPlainHttp11AndALargeBodyArrivesWhole() throws Exception {
        String big = " ".repeat(2 * 1024 * 1024) + "end";
        host.api().open(HttpMethod.GET, "/big", ctx -> ctx.response().end(big));
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(r.body()).hasSize(big.length()).endsWith("end");
        }
    }

    @Test
    void readyIsUpOnlyWhenEveryServiceIsReadyAndNamesEach() throws Exception {
        Switch a = new Switch("registry", true);
        Switch b = new Switch("worker", false);
        host.deploy(a).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        host.deploy(b).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        HttpResponse<String> down = get("/health/ready");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"registry\":\"UP\"", "\"worker\":\"DOWN\"", "\"status\":\"DOWN\"");
        assertThat(host.ready()).isFalse();

        b.ready = true;

        HttpResponse<String> up = get("/health/ready");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains("\"status\":\"UP\"");
        assertThat(host.ready()).isTrue();
    }

    @Test
    void readinessNamesAKafkaItCannotReach() throws Exception {
        int free = dev.flotilla.testkit.TestPorts.free();
        try (ServiceHost away = new ServiceHost(new KafkaSettings("127.0.0.1:" + free, java.util.Map.of(
                "request.timeout.ms", "500", "default.api.timeout.ms", "1000"), 0, 0), null, HttpSettings.loopback())) {
            int p = away.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/health/ready")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("\"kafka\":\"DOWN: Kafka is unreachable"));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p
                    + "/health/ready")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void liveAnswersWhileTheProcessRunsWhateverTheServicesSay() throws Exception {
        host.deploy(new Switch("coordinator", false)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        HttpResponse<String> r = get("/health/live");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("UP");
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        host.meters().counter("flotilla_test_things_total").increment(3);

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body()).contains("flotilla_test_things_total 3.0");
    }

    @Test
    void userErrorsMapToTheirStatusWithCodeAndARedactedMessage() throws Exception {
        assertThat(get("/fail/NOT_FOUND").statusCode()).isEqualTo(404);
        assertThat(get("/fail/CONFIG_INVALID").statusCode()).isEqualTo(400);
        assertThat(get("/fail/CHECKSUM_MISMATCH").statusCode()).isEqualTo(400);
        assertThat(get("/fail/CONNECTION_FAILED").statusCode()).isEqualTo(503);
        assertThat(get("/fail/LOCK_TIMEOUT").statusCode()).isEqualTo(503);
        assertThat(get("/fail/STATEMENT_FAILED").statusCode()).isEqualTo(422);
        assertThat(get("/fail/REQUEST_INVALID").statusCode()).isEqualTo(400);
        assertThat(get("/fail/UNAUTHENTICATED").statusCode()).isEqualTo(401);
        assertThat(get("/fail/FORBIDDEN").statusCode()).isEqualTo(403);

        HttpResponse<String> r = get("/fail/NOT_FOUND");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).contains("\"code\":\"NOT_FOUND\"", "postgres://app:xxxxx@db:5432/tenant_1")
                .doesNotContain("s3cret");
    }

    @Test
    void anUnknownRouteIsA404InJson() throws Exception {
        HttpResponse<String> r = get("/api/v1/nothing-here");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"code\":\"NOT_FOUND\"", "no route GET /api/v1/nothing-here");
    }

    @Test
    void aProcessWithoutAStoreRefusesToDeclareAGuardedRoute() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> host.api().get("/api/v1/x",
                dev.flotilla.fabric.access.Scope.READ, ctx -> ctx.end())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no store to check tokens against");
    }

    @Test
    void aBugIsA500ThatNamesNeitherTheMessageNorASecret() throws Exception {
        HttpResponse<String> r = get("/bug");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("\"code\":\"INTERNAL\"", "IllegalStateException")
                .doesNotContain("internal detail").doesNotContain("s3cret");
    }

    @Test
    void requestsAreCountedByMethodRouteTemplateAndStatusClassNeverByThePathAsked() throws Exception {
        assertThat(get("/fail/NOT_FOUND").statusCode()).isEqualTo(404);
        assertThat(get("/fail/REQUEST_INVALID").statusCode()).isEqualTo(400);
        assertThat(get("/fail/INTERNAL").statusCode()).isEqualTo(500);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/no/such/tenant_42").statusCode()).isEqualTo(404);

        // Vert.x counts a request once its answer is sent: wait for the last one to show
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> get("/metrics").body()
                .lines().anyMatch(l -> l.startsWith("vertx_http_server_requests_total{") && l.contains("route=\"\"")));
        String metrics = get("/metrics").body();
        java.util.List<String> series = metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{"))
                .toList();
        assertThat(series).anySatisfy(l -> assertThat(l).contains("code=\"4xx\"", "method=\"GET\"",
                "route=\"/fail/:code\"").endsWith(" 2.0"));
        assertThat(series).anySatisfy(l -> assertThat(l).contains("code=\"5xx\"", "route=\"/fail/:code\"")
                .endsWith(" 1.0"));
        assertThat(series).anySatisfy(l -> assertThat(l).contains("code=\"2xx\"", "route=\"/health/live\""));
        assertThat(metrics).as("no raw path, no full status code in a label").doesNotContain("NOT_FOUND")
                .doesNotContain("tenant_42").doesNotContain("code=\"404\"").doesNotContain("code=\"500\"");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A service whose readiness the test sets. */
    private static final class Switch implements FlotillaService {
        private final String name;
        volatile boolean ready;

        Switch(String name, boolean ready) {
            this.name = name;
            this.ready = ready;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Future<Void> start(ServiceHost host) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> stop() {
            return Future.succeededFuture();
        }

        @Override
        public boolean ready() {
            return ready;
        }
    }
}
