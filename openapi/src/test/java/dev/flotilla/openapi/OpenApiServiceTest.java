package dev.flotilla.openapi;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The description and Swagger UI on a real HTTP server, without a token: the page answers, every
 * file it loads answers with its type, and the initializer it loads points at the document.
 */
class OpenApiServiceTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private ServiceHost host;
    private int port;

    @BeforeEach
    void start() throws Exception {
        host = new ServiceHost(KafkaSettings.plain(null), null, null, HttpSettings.loopback());
        host.deploy(new OpenApiService()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDocumentIsServedAsYamlToAnyone() throws Exception {
        HttpResponse<String> r = get(OpenApiService.DOCUMENT_PATH);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/yaml; charset=utf-8");
        assertThat(r.body()).startsWith("openapi: 3.1.0").contains("/api/v1/deployments:");
    }

    @Test
    void swaggerUiLoadsEveryFileItNamesAndTheInitializerPointsAtTheDocument() throws Exception {
        HttpResponse<String> page = get(OpenApiService.DOCS_PATH);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).as("no inline script or style: the page runs under script-src 'self'")
                .doesNotContainPattern("<script>|<script [^>]*>[^<]|<style|style=|on[a-z]+=");
        Matcher files = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        int loaded = 0;
        while (files.find()) {
            HttpResponse<String> f = get(files.group(1));
            assertThat(f.statusCode()).as(files.group(1)).isEqualTo(200);
            assertThat(f.headers().firstValue("content-type").orElseThrow()).as(files.group(1))
                    .startsWith(files.group(1).endsWith(".css") ? "text/css" : "text/javascript");
            loaded++;
        }
        assertThat(loaded).as("styles, bundle, initializer").isEqualTo(3);
        assertThat(page.body()).contains("data-url=\"" + OpenApiService.DOCUMENT_PATH + "\"");
        assertThat(get(OpenApiService.DOCS_PATH + "/swagger-initializer.js").body())
                .contains("SwaggerUIBundle(", "getAttribute(\"data-url\")");
        assertThat(get(OpenApiService.DOCS_PATH + "/swagger-ui-bundle.js").body()).contains("SwaggerUIBundle");
    }

    @Test
    void thePageIsSentWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get(OpenApiService.DOCS_PATH);

        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .contains("script-src 'self';", "default-src 'none'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }

    @Test
    void everyFileIsADeclaredOpenRoute() {
        assertThat(host.api().routes()).allSatisfy(r -> assertThat(r.scopes()).isEmpty())
                .extracting(r -> r.path()).contains(OpenApiService.DOCUMENT_PATH, OpenApiService.DOCS_PATH,
                        OpenApiService.DOCS_PATH + "/swagger-ui.css", OpenApiService.DOCS_PATH + "/swagger-ui-bundle.js",
                        OpenApiService.DOCS_PATH + "/swagger-initializer.js");
        assertThat(host.routerRoutes()).containsExactlyInAnyOrderElementsOf(host.api().routes().stream()
                .map(r -> r.method().name() + " " + r.path()).toList());
    }
}
