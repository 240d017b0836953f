package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.cli.CannedAnswers;
import dev.flotilla.migrate.dir.MigrationDirectory;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The CLI's canned answers against the real API: every JSON answer the CLI's unit tests served
 * (recorded by their fake server, see {@link CannedAnswers}) must have the shape the real
 * aggregator, registry and coordinator give on the same route and status class: no field the real
 * API never sends, no field of another JSON type. A test that passes against a made-up answer
 * proves nothing about the product.
 */
final class ApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FleetHarness fleet;
    /** Real answers by route and status class ({@code GET /api/v1/databases/{id} 2xx}). */
    private final Map<String, List<JsonNode>> real = new HashMap<>();

    private ApiContract(FleetHarness fleet) {
        this.fleet = fleet;
    }

    /**
     * Asks the real API on every route the CLI uses, on a fleet that has run the seed tutorial
     * (a set with a failed target), and checks every recorded canned answer against it.
     *
     * @param dir the tutorial's migration directory, pushed as {@code db-per-tenant}
     * @param failedSetId a set with a FAILED target ({@code prod/tenant_4})
     */
    static void check(FleetHarness fleet, Path dir, String failedSetId) throws Exception {
        List<CannedAnswers.Answer> canned = CannedAnswers.load();
        assertThat(canned).as("no canned answers in %s: the cli module's unit tests record them; run 'mvn verify"
                + " -pl cli' rather than the integration tests alone", CannedAnswers.DIR.toAbsolutePath()).isNotEmpty();
        ApiContract c = new ApiContract(fleet);
        c.askEveryRoute(dir, failedSetId);
        List<String> problems = new ArrayList<>();
        for (CannedAnswers.Answer a : canned) {
            String key = key(a.route(), a.status());
            List<JsonNode> answers = c.real.get(key);
            if (answers == null) {
                problems.add(key + ": the CLI's tests answer it, but this contract never asked the real API for it;"
                        + " add the request to ApiContract.askEveryRoute");
                continue;
            }
            conforms(key + " ", a.body(), answers, problems);
        }
        assertThat(problems).as("canned answers the real API would never give").isEmpty();
    }

    private void askEveryRoute(Path dir, String failedSetId) throws Exception {
        String failedTarget = "prod%2Ftenant_4";
        JsonNode dbs = ask("GET", "/api/v1/databases?pageSize=500");
        ask("GET", "/api/v1/databases?status=FAILED&env=prod&directory=db-per-tenant&name=tenant&page=1&pageSize=2");
        ask("GET", "/api/v1/databases/" + URLEncoder.encode(dbs.path("items").get(0).path("targetId").asText(),
                StandardCharsets.UTF_8));
        ask("GET", "/api/v1/databases/" + dbs.path("items").get(0).path("id").asText());
        ask("GET", "/api/v1/databases/no-such-database");
        ask("GET", "/api/v1/deployment-sets");
        ask("GET", "/api/v1/deployment-sets?status=FAILED&env=prod&page=1&pageSize=20");
        ask("GET", "/api/v1/deployment-sets/" + failedSetId);
        ask("GET", "/api/v1/deployment-sets/" + failedSetId + "?page=2&pageSize=2");
        ask("GET", "/api/v1/deployment-sets/no-such-set");
        ask("GET", "/api/v1/deployment-sets/" + failedSetId + "/targets/" + failedTarget);
        ask("GET", "/api/v1/dirs/no-such-directory/archive?tag=v1");
        askPushes(dir);
        askTokens();
        askWebhooks();
        int sets = fleet.sets().size();
        ask("POST", "/api/v1/deployments", "{\"env\":\"prod\"}");
        ask("POST", "/api/v1/deployments", "{\"env\":\"no-such-env\"}");
        await().atMost(Duration.ofSeconds(90)).until(() -> fleet.sets().size() > sets
                && !"RUNNING".equals(fleet.sets().get(0).path("status").asText()));
    }

    private void askPushes(Path dir) throws Exception {
        byte[] archive = MigrationDirectory.open(dir).toArchive();
        send("POST", "/api/v1/dirs/db-per-tenant/push?tag=v2", "application/x-tar", archive);
        send("POST", "/api/v1/dirs/contract-copy/push?tag=v1", "application/x-tar", archive);
        byte[] stale = new String(archive, StandardCharsets.ISO_8859_1).replace("VALUES (2,", "VALUES (3,")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(stale).as("the tutorial's seed file is in the archive").isNotEqualTo(archive);
        send("POST", "/api/v1/dirs/db-per-tenant/push?tag=stale", "application/x-tar", stale);
    }

    /** Webhooks of the notifier; the ping goes to a port where nothing listens, so it answers a failed attempt. */
    private void askWebhooks() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String hooks = "/api/v1/dirs/db-per-tenant/webhooks";
        JsonNode w = ask("POST", hooks, "{\"name\":\"contract\",\"url\":\"http://127.0.0.1:" + port
                + "/services/T0/B0/x\",\"format\":\"slack\",\"events\":[\"set.finished\"],"
                + "\"secret\":\"contract-secret-1234\"}");
        ask("POST", hooks, "{\"name\":\"contract\",\"url\":\"ftp://example.com\"}");
        ask("GET", hooks);
        ask("POST", hooks + "/" + w.path("id").asText() + "/test");
        ask("GET", hooks + "/" + w.path("id").asText() + "/deliveries?page=1&pageSize=20");
        ask("GET", hooks + "/999999/deliveries");
        ask("DELETE", hooks + "/" + w.path("id").asText());
        ask("DELETE", hooks + "/" + w.path("id").asText());
    }

    private void askTokens() throws Exception {
        JsonNode created = ask("POST", "/api/v1/tokens", "{\"name\":\"contract\",\"scopes\":[\"push:app\",\"read\"]}");
        ask("POST", "/api/v1/tokens", "{\"name\":\"contract\",\"scopes\":[\"nonsense\"]}");
        ask("GET", "/api/v1/tokens");
        String weak = created.path("token").asText();
        record("GET", "/api/v1/tokens", fleet.sendAs(weak, "GET", "/api/v1/tokens", null, null));
        record("GET", "/api/v1/tokens", fleet.sendAs(null, "GET", "/api/v1/tokens", null, null));
        ask("DELETE", "/api/v1/tokens/" + created.path("id").asText());
        ask("DELETE", "/api/v1/tokens/no-such-token");
        ask("GET", "/api/v1/audit?limit=5");
    }

    private JsonNode ask(String method, String pathAndQuery) throws Exception {
        return ask(method, pathAndQuery, null);
    }

    private JsonNode ask(String method, String pathAndQuery, String json) throws Exception {
        return send(method, pathAndQuery, "application/json", json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode send(String method, String pathAndQuery, String contentType, byte[] body) throws Exception {
        return record(method, pathAndQuery, fleet.send(method, pathAndQuery, contentType, body));
    }

    private JsonNode record(String method, String pathAndQuery, HttpResponse<String> r) throws Exception {
        String path = pathAndQuery.replaceFirst("\\?.*", "");
        JsonNode answer = JSON.readTree(r.body());
        real.computeIfAbsent(key(CannedAnswers.route(method, path), r.statusCode()), k -> new ArrayList<>()).add(answer);
        return answer;
    }

    private static String key(String route, int status) {
        return route + (status < 300 ? " 2xx" : " error");
    }

    /**
     * Whether {@code canned} could have come from the API that answered {@code answers} at this
     * place: every field it has, some real answer has too, with a value of the same JSON type
     * (null goes with anything; a place where the real API only ever sent null cannot judge a type).
     */
    private static void conforms(String where, JsonNode canned, List<JsonNode> answers, List<String> problems) {
        List<JsonNode> present = answers.stream().filter(n -> n != null && !n.isNull() && !n.isMissingNode()).toList();
        if (canned.isNull() || present.isEmpty()) {
            return;
        }
        if (present.stream().noneMatch(n -> n.getNodeType() == canned.getNodeType()
                || n.isNumber() && canned.isNumber())) {
            problems.add(where + "is " + canned.getNodeType() + " in the CLI's tests, " + present.get(0).getNodeType()
                    + " in the real API");
            return;
        }
        if (canned.isObject()) {
            List<JsonNode> objects = present.stream().filter(JsonNode::isObject).toList();
            canned.fieldNames().forEachRemaining(f -> {
                if (objects.stream().noneMatch(o -> o.has(f))) {
                    problems.add(where + "has \"" + f + "\" in the CLI's tests; the real API never sends it");
                } else {
                    conforms(where + "." + f + " ", canned.get(f), objects.stream().map(o -> o.get(f)).toList(),
                            problems);
                }
            });
        } else if (canned.isArray()) {
            List<JsonNode> elements = new ArrayList<>();
            present.stream().filter(JsonNode::isArray).forEach(a -> a.forEach(elements::add));
            canned.forEach(e -> conforms(where + "[] ", e, elements, problems));
        }
    }
}
