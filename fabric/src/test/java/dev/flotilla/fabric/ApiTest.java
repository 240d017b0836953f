package dev.flotilla.fabric;

import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.AuditEvent;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.InMemoryAuditTrail;
import dev.flotilla.fabric.access.InMemoryTokenStore;
import dev.flotilla.fabric.access.Scope;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guards every route stands behind, on a real HTTP server: tokens and scopes, the browser
 * checks (host, origin, content type), body limits, and 400s that name the field.
 */
class ApiTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final InMemoryAuditTrail audit = new InMemoryAuditTrail();
    private final Access access = new Access(new InMemoryTokenStore(), audit, Clock.systemUTC());
    private ServiceHost host;
    private int port;

    @BeforeEach
    void start() throws Exception {
        HttpSettings settings = new HttpSettings(Set.of("localhost", "127.0.0.1", "flotilla.example.com"),
                Set.of("https://ops.example.com"), "scrape-secret", null);
        host = new ServiceHost(KafkaSettings.plain(null), null, access, settings);
        Api api = host.api();
        api.get("/api/v1/things", Scope.READ, ctx -> ctx.json(new JsonObject().put("who", Api.principal(ctx).name())));
        api.json(HttpMethod.POST, "/api/v1/deploy", Scope.DEPLOY, ctx -> {
            JsonObject body = Requests.jsonBody(ctx, Set.of("env", "dryRun"));
            String env = Requests.requiredString(body, "env");
            boolean dry = Requests.bool(body, "dryRun", false);
            host.api().require(ctx, Scope.DEPLOY, "env", env);
            access.audit().record(Api.event(ctx, "deployment.create", "env " + env, "ok", dry ? "dry run" : null));
            ctx.response().setStatusCode(201).end();
        });
        api.withBody(HttpMethod.POST, "/api/v1/dirs/:name/push", Scope.PUSH, "application/x-tar", 16, ctx -> {
            host.api().require(ctx, Scope.PUSH, "directory", ctx.pathParam("name"));
            ctx.response().setStatusCode(201).end(Integer.toString(ctx.body().length()));
        });
        api.get("/api/v1/admin", Scope.ADMIN, ctx -> ctx.end("ok"));
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private String token(String... grants) {
        return access.create("t" + System.nanoTime(), Arrays.stream(grants).map(Grant::parse).toList(), "test").text();
    }

    @Test
    void noTokenIs401WithTheScopeItNeedsAndWhereToPutIt() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/things", null, null, null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"flotilla\"");
        assertThat(r.body()).contains("UNAUTHENTICATED", "scope read", "--token or FLOTILLA_TOKEN");
    }

    @Test
    void anUnknownOrMalformedTokenIs401() throws Exception {
        String forged = token("read").substring(0, 20) + "x".repeat(30);

        assertThat(send("GET", "/api/v1/things", "flt_" + "A".repeat(46), null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/things", forged, null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/things", "not-a-token", null, null).body()).contains("not a Flotilla token");
    }

    @Test
    void theWrongScopeIs403AndTheRightOneGetsThrough() throws Exception {
        String push = token("push");

        HttpResponse<String> denied = send("GET", "/api/v1/things", push, null, null);
        HttpResponse<String> allowed = send("GET", "/api/v1/things", token("read"), null, null);

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("FORBIDDEN", "holds push", "needs scope read");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/admin", token("deploy", "read", "push"), null, null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/v1/admin", token("admin"), null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void deployMayAlsoReadAndAdminMayDoAnything() throws Exception {
        assertThat(send("GET", "/api/v1/things", token("deploy"), null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/things", token("admin"), null, null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/api/v1/deploy", token("admin"), "application/json", "{\"env\":\"prod\"}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void aTokenLimitedToNamedEnvsOrDirectoriesMayTouchOnlyThose() throws Exception {
        String staging = token("deploy:staging,qa");
        String app = token("push:app");

        assertThat(send("POST", "/api/v1/deploy", staging, "application/json", "{\"env\":\"qa\"}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> prod = send("POST", "/api/v1/deploy", staging, "application/json", "{\"env\":\"prod\"}");
        assertThat(prod.statusCode()).isEqualTo(403);
        assertThat(prod.body()).contains("may not deploy env \\\"prod\\\"", "deploy:staging,qa");
        assertThat(send("POST", "/api/v1/dirs/app/push", app, "application/x-tar", "tar").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/api/v1/dirs/billing/push", app, "application/x-tar", "tar").statusCode())
                .isEqualTo(403);
    }

    @Test
    void aRevokedTokenStopsWorkingAtOnce() throws Exception {
        Access.Created c = access.create("ci", List.of(Grant.parse("read")), "test");
        assertThat(send("GET", "/api/v1/things", c.text(), null, null).statusCode()).isEqualTo(200);

        access.revoke("ci");

        assertThat(send("GET", "/api/v1/things", c.text(), null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenRecordsWhenItWasLastUsed() throws Exception {
        Access.Created c = access.create("ci", List.of(Grant.parse("read")), "test");
        assertThat(c.token().lastUsedAt()).isNull();

        send("GET", "/api/v1/things", c.text(), null, null);

        assertThat(access.tokens().list()).filteredOn(t -> t.name().equals("ci"))
                .singleElement().satisfies(t -> assertThat(t.lastUsedAt()).isNotNull());
    }

    @Test
    void aCrossSiteTextPlainPostIsRefusedBeforeAnythingRuns() throws Exception {
        String deploy = token("deploy");

        HttpResponse<String> plain = send("POST", "/api/v1/deploy", deploy, "text/plain", "{\"env\":\"prod\"}");
        HttpResponse<String> foreign = http.send(request("POST", "/api/v1/deploy", deploy, "application/json",
                "{\"env\":\"prod\"}").header("origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(plain.statusCode()).isEqualTo(415);
        assertThat(plain.body()).contains("takes a body of type application/json, not \\\"text/plain\\\"");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("https://evil.example");
        assertThat(audit.list(null, null, 0, 10)).as("nothing ran").isEmpty();
    }

    @Test
    void pagesOfTheServerItselfAndOfAllowedOriginsMaySend() throws Exception {
        String deploy = token("deploy");
        for (String origin : List.of("http://127.0.0.1:" + port, "https://ops.example.com")) {
            HttpResponse<String> r = http.send(request("POST", "/api/v1/deploy", deploy, "application/json",
                    "{\"env\":\"prod\"}").header("origin", origin).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(origin).isEqualTo(201);
        }
    }

    @Test
    void aForeignHostIsRefusedSoDnsRebindingGetsNothingButProbesStillWork() throws Exception {
        String read = token("read");

        String rebound = rawGet("attacker.example:" + port, "/api/v1/things", read);
        String named = rawGet("flotilla.example.com", "/api/v1/things", read);
        String probe = rawGet("10.1.2.3:" + port, "/health/live", null);

        assertThat(rebound).startsWith("HTTP/1.1 421").contains("host \\\"attacker.example\\\"", "--allowed-hosts");
        assertThat(named).startsWith("HTTP/1.1 200");
        assertThat(probe).startsWith("HTTP/1.1 200");
    }

    @Test
    void aBodyOverTheRoutesLimitIs413InJson() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/dirs/app/push", token("push"), "application/x-tar",
                "x".repeat(17));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("larger than this route takes");
    }

    @Test
    void badJsonWrongTypesAndUnknownFieldsAre400sNamingTheField() throws Exception {
        String deploy = token("deploy");

        assertThat(send("POST", "/api/v1/deploy", deploy, "application/json", "{\"env\": ").body())
                .contains("REQUEST_INVALID", "not valid JSON");
        assertThat(send("POST", "/api/v1/deploy", deploy, "application/json", "[1]").body())
                .contains("must be a JSON object");
        assertThat(send("POST", "/api/v1/deploy", deploy, "application/json", "{\"env\":7}").body())
                .contains("field \\\"env\\\" must be a string, not a number");
        assertThat(send("POST", "/api/v1/deploy", deploy, "application/json", "{\"env\":\"p\",\"dryRun\":\"yes\"}")
                .body()).contains("field \\\"dryRun\\\" must be true or false, not a string");
        HttpResponse<String> unknown = send("POST", "/api/v1/deploy", deploy, "application/json", "{\"enviroment\":\"p\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown field \\\"enviroment\\\"");
    }

    @Test
    void whatATokenDidIsAuditedWithItsNameAndSource() throws Exception {
        Access.Created ci = access.create("ci", List.of(Grant.parse("deploy")), "test");

        send("POST", "/api/v1/deploy", ci.text(), "application/json", "{\"env\":\"prod\",\"dryRun\":true}");

        AuditEvent e = audit.list("deployment.create", null, 0, 10).get(0);
        assertThat(e.actor()).isEqualTo("ci");
        assertThat(e.object()).isEqualTo("env prod");
        assertThat(e.source()).isEqualTo("127.0.0.1");
        assertThat(e.detail()).isEqualTo("dry run");
    }

    @Test
    void aRefusedRequestThatWouldChangeSomethingIsAudited() throws Exception {
        Access.Created staging = access.create("staging-ci", List.of(Grant.parse("deploy:staging")), "test");
        Access.Created reader = access.create("reader", List.of(Grant.parse("read")), "test");

        send("POST", "/api/v1/deploy", staging.text(), "application/json", "{\"env\":\"prod\"}");
        send("POST", "/api/v1/dirs/app/push", reader.text(), "application/x-tar", "tar");
        send("GET", "/api/v1/admin", reader.text(), null, null);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> audit.list("request.denied", null, 0, 10).size() == 2);
        assertThat(audit.list("request.denied", null, 0, 10)).extracting(AuditEvent::actor, AuditEvent::object,
                AuditEvent::outcome).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("staging-ci", "POST /api/v1/deploy", "denied"),
                        org.assertj.core.groups.Tuple.tuple("reader", "POST /api/v1/dirs/app/push", "denied"));
    }

    @Test
    void metricsNeedTheMetricsTokenWhenOneIsSet() throws Exception {
        assertThat(send("GET", "/metrics", null, null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/metrics", "wrong", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/metrics", "scrape-secret", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void everyRouteOnTheRouterWasDeclaredWithItsGuards() {
        List<String> declared = host.api().routes().stream().map(r -> r.method().name() + " " + r.path()).toList();

        assertThat(host.routerRoutes()).containsExactlyInAnyOrderElementsOf(declared);
        assertThat(host.api().routes()).filteredOn(r -> r.scopes().isEmpty()).extracting(Api.RouteSpec::path)
                .containsExactlyInAnyOrder("/health/ready", "/health/live", "/metrics", "/ui/session",
                        "/ui/session/delete");
    }

    /** A GET with a Host header of the test's choosing (java.net.http will not send one). */
    private String rawGet(String hostHeader, String path, String token) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            String req = "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBrowserSignsInWithATokenKeptInAnHttpOnlyStrictCookieAndMustRepeatTheCsrfTokenToChangeAnything()
            throws Exception {
        String token = token("deploy");
        HttpResponse<String> in = send("POST", "/ui/session", null, "application/x-www-form-urlencoded",
                "token=" + token + "&next=%2Fdatabases%3Fenv%3Dprod");

        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("location")).hasValue("/databases?env=prod");
        List<String> cookies = in.headers().allValues("set-cookie");
        String session = cookies.stream().filter(c -> c.startsWith("flotilla_session=")).findFirst().orElseThrow();
        String csrf = cookies.stream().filter(c -> c.startsWith("flotilla_csrf=")).findFirst().orElseThrow();
        assertThat(session).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        assertThat(csrf).doesNotContainIgnoringCase("HttpOnly").contains("SameSite=Strict");
        String cookie = session.split(";", 2)[0] + "; " + csrf.split(";", 2)[0];
        String csrfValue = csrf.split(";", 2)[0].substring("flotilla_csrf=".length());

        HttpResponse<String> whoami = http.send(request("GET", "/api/v1/whoami", null, null, null)
                .header("cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(whoami.statusCode()).isEqualTo(200);
        assertThat(whoami.body()).contains("\"grants\":[\"deploy\"]");
        HttpResponse<String> forged = http.send(request("POST", "/api/v1/deploy", null, "application/json",
                "{\"env\":\"prod\"}").header("cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("no CSRF header: another site's page could have sent it").isEqualTo(403);
        assertThat(forged.body()).contains("X-CSRF-Token");
        HttpResponse<String> wrong = http.send(request("POST", "/api/v1/deploy", null, "application/json",
                "{\"env\":\"prod\"}").header("cookie", cookie).header("x-csrf-token", "guess").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> ok = http.send(request("POST", "/api/v1/deploy", null, "application/json",
                "{\"env\":\"prod\"}").header("cookie", cookie).header("x-csrf-token", csrfValue).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(201);
    }

    @Test
    void aBadTokenGoesBackToTheSignInPageWithTheReasonAndNextNeverLeavesTheSite() throws Exception {
        HttpResponse<String> bad = send("POST", "/ui/session", null, "application/x-www-form-urlencoded",
                "token=flt_nope");
        assertThat(bad.statusCode()).isEqualTo(303);
        assertThat(bad.headers().firstValue("location").orElseThrow()).startsWith("/signin?error=");
        assertThat(bad.headers().allValues("set-cookie")).isEmpty();

        HttpResponse<String> away = send("POST", "/ui/session", null, "application/x-www-form-urlencoded",
                "token=" + token("read") + "&next=%2F%2Fevil.example.com%2F");
        assertThat(away.headers().firstValue("location")).hasValue("/");
        assertThat(Sessions.safeNext("https://evil.example.com")).isEqualTo("/");
        assertThat(Sessions.safeNext("/\\evil.example.com")).isEqualTo("/");
        assertThat(Sessions.safeNext("/sets/1")).isEqualTo("/sets/1");

        HttpResponse<String> crossSite = http.send(request("POST", "/ui/session", null,
                "application/x-www-form-urlencoded", "token=" + token("admin")).header("origin", "https://evil.example.com")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).as("no signing a victim in from another site").isEqualTo(403);
    }

    private HttpResponse<String> send(String method, String path, String token, String contentType, String body)
            throws Exception {
        return http.send(request(method, path, token, contentType, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String method, String path, String token, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        return b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
    }
}
