package dev.flotilla.cli.dev;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every route every service serves, taken from the router itself, so that a route added later is
 * checked without anyone remembering to: 401 without a token, 403 with a token of the wrong
 * scope, past both with a token of each scope the route takes. Only the health routes,
 * {@code /metrics}, browser sign-in and the API's description and docs are open.
 */
class RouteScopesIT {
    /** For each scope a route may need, one that never covers it. */
    private static final Map<Scope, Scope> WRONG = Map.of(Scope.READ, Scope.PUSH, Scope.PUSH, Scope.READ,
            Scope.DEPLOY, Scope.READ, Scope.ADMIN, Scope.DEPLOY);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void everyRouteIs401WithoutAToken403WithTheWrongScopeAndOpenToTheRightOne() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  url = \"sqlite://" + tmp + "/t.db\"\n  migration {\n"
                + "    dir = \"atlas://app\"\n  }\n}\n");
        try (FleetHarness fleet = new FleetHarness(hcl, 1)) {
            await().atMost(Duration.ofSeconds(90)).until(fleet::ready);
            List<Api.RouteSpec> routes = fleet.host().api().routes();
            assertThat(fleet.host().routerRoutes().stream().map(RouteScopesIT::prefix).toList())
                    .as("every route on the router was declared with its guards")
                    .containsExactlyInAnyOrderElementsOf(routes.stream().map(r -> prefix(r.method().name() + " "
                            + r.path())).toList());
            // The web UI's pages and files hold no data: the app reads the API with the session cookie.
            assertThat(routes).filteredOn(r -> r.scopes().isEmpty()).extracting(Api.RouteSpec::path)
                    .containsExactlyInAnyOrder("/health/live", "/health/ready", "/metrics", "/ui/session",
                            "/ui/session/delete", "/api/v1/openapi.yaml", "/api/v1/docs",
                            "/api/v1/docs/swagger-initializer.js", "/api/v1/docs/swagger-ui.css",
                            "/api/v1/docs/swagger-ui-bundle.js", "/", "/signin", "/ui/*");
            Map<Scope, String> tokens = new EnumMap<>(Scope.class);
            for (Scope s : Scope.values()) {
                tokens.put(s, fleet.host().access().create("only-" + s.word(), List.of(new Grant(s, List.of())),
                        "test").text());
            }
            List<String> problems = new ArrayList<>();
            for (Api.RouteSpec r : routes) {
                check(fleet, r, tokens, problems);
            }
            assertThat(problems).isEmpty();
            assertThat(routes).as("the whole API is checked").hasSizeGreaterThanOrEqualTo(15);
            assertThat(fleet.get("/api/v1/audit?action=request.denied").path("items")).as("refusals are audited")
                    .isNotEmpty();
            try (java.sql.Connection c = fleet.store().connect(); java.sql.Statement st = c.createStatement()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.executeUpdate("DELETE FROM access_audit"))
                        .hasMessageContaining("the audit trail is append-only");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.executeUpdate(
                        "UPDATE access_audit SET actor = 'someone else'")).hasMessageContaining("append-only");
            }
        }
    }

    private static void check(FleetHarness fleet, Api.RouteSpec r, Map<Scope, String> tokens, List<String> problems)
            throws Exception {
        String path = r.path().replaceAll(":[A-Za-z]+", "x").replace("*", "app.js");
        String what = r.method() + " " + r.path();
        if (r.scopes().isEmpty()) {
            expect(problems, what + " (open)", send(fleet, r, path, null), Set.of(200, 303, 503));
            return;
        }
        expect(problems, what + " without a token", send(fleet, r, path, null), Set.of(401));
        // A route any token may call (who am I) has no wrong scope.
        java.util.Optional<Scope> wrong = r.scopes().stream().map(WRONG::get)
                .filter(w -> r.scopes().stream().noneMatch(s -> covers(w, s))).findFirst();
        if (wrong.isPresent()) {
            expect(problems, what + " with a " + wrong.get().word() + " token", send(fleet, r, path,
                    tokens.get(wrong.get())), Set.of(403));
        }
        for (Scope right : r.scopes()) {
            int status = send(fleet, r, path, tokens.get(right));
            if (status == 401 || status == 403) {
                problems.add(what + " with a " + right.word() + " token answered " + status);
            }
        }
    }

    /** A prefix route as Vert.x lists it ({@code /ui/}) and as it was declared ({@code /ui/*}). */
    private static String prefix(String route) {
        return route.endsWith("/*") ? route.substring(0, route.length() - 1) : route;
    }

    private static boolean covers(Scope held, Scope needed) {
        return held == needed || held == Scope.ADMIN || held == Scope.DEPLOY && needed == Scope.READ;
    }

    /**
     * The status of a request; only the head of the answer is read, so a route that streams
     * ({@code /api/v1/events}) answers too.
     */
    private static int send(FleetHarness fleet, Api.RouteSpec r, String path, String token) throws Exception {
        byte[] body = r.contentType() == null ? null
                : "application/json".equals(r.contentType()) ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fleet.url() + path));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("content-type", r.contentType());
        }
        HttpResponse<InputStream> answer = HTTP.send(b.method(r.method().name(), body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        answer.body().close();
        return answer.statusCode();
    }

    private static void expect(List<String> problems, String what, int status, Set<Integer> expected) {
        if (!expected.contains(status)) {
            problems.add(what + " answered " + status + ", expected " + expected);
        }
    }
}
