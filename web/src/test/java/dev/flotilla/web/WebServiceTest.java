package dev.flotilla.web;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.InMemoryAuditTrail;
import dev.flotilla.fabric.access.InMemoryTokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The UI's pages and files on a real HTTP server: who gets the app, who the sign-in page, and the headers. */
class WebServiceTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final Access access = new Access(new InMemoryTokenStore(), new InMemoryAuditTrail(), Clock.systemUTC());
    private ServiceHost host;
    private int port;

    @BeforeEach
    void start() throws Exception {
        host = new ServiceHost(KafkaSettings.plain(null), null, access, HttpSettings.loopback());
        host.deploy(new WebService()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void withoutASessionTheAppRedirectsToSignInAndBack() throws Exception {
        HttpResponse<String> r = get("/", null);

        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("location")).hasValue("/signin?next=%2F");
    }

    @Test
    void aRevokedOrUnknownTokenInTheCookieIsSentToSignInToo() throws Exception {
        assertThat(get("/", "flotilla_session=flt_notatoken").statusCode()).isEqualTo(303);
    }

    @Test
    void aValidSessionGetsTheAppWithAStrictContentSecurityPolicy() throws Exception {
        String token = access.create("ui", List.of(Grant.parse("read")), "test").text();

        HttpResponse<String> r = get("/", "flotilla_session=" + token);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("<script type=\"module\" src=\"/ui/app.js\"></script>").doesNotContain(token);
        assertThat(r.headers().firstValue("content-security-policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline"));
        assertThat(r.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    }

    @Test
    void theSignInPageShowsTheErrorAsTextAndKeepsOnlyALocalNext() throws Exception {
        HttpResponse<String> r = get("/signin?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&next=%2F%23%2Fsets", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert")
                .contains("name=\"next\" value=\"/#/sets\"").contains("action=\"/ui/session\"");
        assertThat(get("/signin?next=https%3A%2F%2Fevil.example", null).body()).contains("name=\"next\" value=\"/\"");
        assertThat(r.headers().firstValue("content-security-policy")).isPresent();
    }

    @Test
    void staticFilesComeFromTheClasspathWithTheSameHeadersAndNothingElseDoes() throws Exception {
        HttpResponse<String> js = get("/ui/app.js", null);

        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(js.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(js.headers().firstValue("content-security-policy")).isPresent();
        for (String name : List.of("api.js", "live.js", "dom.js", "state.js", "databases.js", "sets.js", "dirs.js",
                "app.css")) {
            assertThat(get("/ui/" + name, null).statusCode()).as(name).isEqualTo(200);
        }
        assertThat(get("/ui/../app.html", null).statusCode()).isNotEqualTo(200);
        assertThat(get("/ui/", null).statusCode()).isNotEqualTo(200);
        assertThat(get("/ui/nothing.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void theRoutesAreDeclaredOpenAsPagesThatHoldNoData() {
        assertThat(host.api().routes()).filteredOn(r -> r.scopes().isEmpty()).extracting(r -> r.path())
                .contains("/", "/signin", "/ui/*");
        assertThat(host.routerRoutes()).contains("GET /", "GET /signin");
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (cookie != null) {
            b.header("cookie", cookie);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
