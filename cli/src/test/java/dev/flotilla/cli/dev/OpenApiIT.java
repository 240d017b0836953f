package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API's description against a whole fleet, as {@code flotilla dev} runs it: the document it
 * serves names exactly the routes the router has (both ways) with the scopes they take, and every
 * answer of a tour through the API (push, deploy, a failing rollout, the lists, tokens, and the
 * errors 400, 401, 403, 404, 413, 415) matches the document's schema for its operation and status,
 * checked by vertx-openapi's {@link ResponseValidator}. An answer the document does not describe
 * fails the test.
 *
 * <p>vertx-openapi 5.0.8 refuses to load a contract with media types other than JSON, multipart,
 * octet-stream and plain text: the validator is given the document without those bodies (tar
 * archives, the sign-in form, the event stream, the docs' files); their status and media type are
 * checked against the document directly.
 */
class OpenApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @TempDir
    Path tmp;

    private FleetHarness fleet;
    private JsonNode doc;
    private OpenAPIContract contract;
    private ResponseValidator validator;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> checked = new TreeSet<>();

    @Test
    void theDocumentNamesEveryRouteWithItsScopesAndEveryRealAnswerMatchesIt() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  for_each = toset([\"t1\", \"t2\"])\n  url = \"sqlite://" + tmp
                + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
        Vertx vertx = Vertx.vertx();
        try (FleetHarness f = new FleetHarness(hcl, 2)) {
            fleet = f;
            await().atMost(Duration.ofSeconds(90)).until(fleet::ready);
            HttpResponse<String> served = fleet.sendAs(null, "GET", "/api/v1/openapi.yaml", null, null);
            assertThat(served.statusCode()).isEqualTo(200);
            doc = new ObjectMapper(new YAMLFactory()).readTree(served.body());

            compareRoutes(fleet.host().api().routes());

            contract = OpenAPIContract.from(vertx, jsonBodiesOnly(doc)).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            validator = ResponseValidator.create(vertx, contract);
            validatorRefusesAnswersThatDoNotMatch();
            tour(hcl.getParent());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertThat(problems).isEmpty();
        org.slf4j.LoggerFactory.getLogger(OpenApiIT.class).info("answers validated, by operation and status: {}",
                checked);
        assertThat(checked).as("statuses validated, by operation").contains("createDeployment 201",
                "pushDirectory 201", "pushDirectory 200", "getDeployment 200", "listDatabases 200", "getDatabase 404",
                "createDeployment 400", "createDeployment 413", "createDeployment 415", "listDatabases 401",
                "listTokens 403", "createToken 201", "revokeToken 200", "listAuditEvents 200");
    }

    /** The validator is live: made-up answers of the wrong shape are refused, a right one passes. */
    private void validatorRefusesAnswersThatDoNotMatch() throws Exception {
        for (String wrong : List.of("{\"items\": 5, \"page\": {\"page\": 1, \"pageSize\": 20, \"total\": 0}}",
                "{\"items\": [{\"id\": \"not a number\", \"targetId\": \"t\", \"status\": \"SYNCED\"}],"
                        + " \"page\": {\"page\": 1, \"pageSize\": 20, \"total\": 1}}")) {
            assertThat(validator.validate(ValidatableResponse.create(200, Buffer.buffer(wrong), "application/json"),
                    "listDatabases").toCompletionStage().toCompletableFuture()).as(wrong)
                    .failsWithin(Duration.ofSeconds(10));
        }
        assertThat(validator.validate(ValidatableResponse.create(404, Buffer.buffer("{\"error\": \"x\"}"),
                "application/json"), "getDatabase").toCompletionStage().toCompletableFuture())
                .as("an error without its code").failsWithin(Duration.ofSeconds(10));
        validator.validate(ValidatableResponse.create(404, Buffer.buffer("{\"error\": \"x\", \"code\": \"NOT_FOUND\"}"),
                "application/json"), "getDatabase").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Router's routes vs the document's operations, both ways, and each one's scopes. */
    private void compareRoutes(List<Api.RouteSpec> routes) {
        Map<String, Set<String>> onRouter = new TreeMap<>();
        for (Api.RouteSpec r : routes) {
            // The web UI's files are a prefix route (/ui/*); OpenAPI has no wildcards: /ui/{file}.
            onRouter.put(r.method().name() + " " + r.path().replaceAll(":([A-Za-z]+)", "{$1}").replace("/*", "/{file}"),
                    r.scopes().stream()
                    .map(Scope::word).collect(Collectors.toCollection(TreeSet::new)));
        }
        Map<String, Set<String>> documented = new TreeMap<>();
        doc.get("paths").properties().forEach(p -> p.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                Set<String> scopes = new TreeSet<>();
                op.getValue().path("x-flotilla-scopes").forEach(s -> scopes.add(s.asText()));
                documented.put(op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey(), scopes);
            }
        }));
        assertThat(documented.keySet()).as("documented but not on the router").isSubsetOf(onRouter.keySet());
        assertThat(onRouter.keySet()).as("on the router but not documented").isSubsetOf(documented.keySet());
        assertThat(documented).as("each route's scopes (x-flotilla-scopes; none = open)").isEqualTo(onRouter);
    }

    /** Drives the API through what a user does, validating every answer. */
    private void tour(Path dir) throws Exception {
        Path migrations = dir.resolve("migrations");
        FleetHarness.write(migrations, "20240101000000_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        byte[] archive = dev.flotilla.migrate.dir.MigrationDirectory.open(migrations).toArchive();
        String versionId = json(call("POST", "/api/v1/dirs/app/push?tag=v1", "application/x-tar", archive))
                .get("versionId").asText();
        call("POST", "/api/v1/dirs/app/push?tag=v1", "application/x-tar", archive);
        call("POST", "/api/v1/dirs/app/push", "application/x-tar", "not a tar".getBytes(StandardCharsets.UTF_8));
        call("POST", "/api/v1/dirs/app/push", "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        call("GET", "/api/v1/dirs", null, null);
        call("GET", "/api/v1/dirs/app/archive?tag=v1", null, null);
        call("GET", "/api/v1/dirs/app/archive?tag=nope", null, null);
        call("GET", "/api/v1/versions/" + versionId, null, null);
        call("GET", "/api/v1/versions/not-an-id", null, null);
        String first = awaitSets(1).get(0).get("id").asText();

        FleetHarness.write(migrations, "20240102000000_seed.sql", "INSERT INTO missing VALUES (1);\n");
        call("POST", "/api/v1/dirs/app/push", "application/x-tar",
                dev.flotilla.migrate.dir.MigrationDirectory.open(migrations).toArchive());
        String failed = awaitSets(2).get(0).get("id").asText();
        JsonNode created = json(call("POST", "/api/v1/deployments", "application/json",
                body("{\"env\": \"prod\", \"tag\": \"v1\", \"dryRun\": true}")));
        awaitSets(3);

        lists(first, failed, created.get("id").asText());
        errors(failed);
        access();
    }

    private void lists(String first, String failed, String dryRun) throws Exception {
        call("GET", "/api/v1/deployment-sets", null, null);
        call("GET", "/api/v1/deployment-sets?status=failed&env=prod&directory=app&page=1&pageSize=5", null, null);
        call("GET", "/api/v1/deployment-sets/" + first, null, null);
        call("GET", "/api/v1/deployment-sets/" + first + "?status=passed", null, null);
        JsonNode set = json(call("GET", "/api/v1/deployment-sets/" + failed + "?pageSize=1", null, null));
        call("GET", "/api/v1/deployment-sets/" + dryRun, null, null);
        String target = set.get("targets").get(0).get("targetId").asText();
        JsonNode deployment = json(call("GET", "/api/v1/deployment-sets/" + failed + "/targets/"
                + URLEncoder.encode(target, StandardCharsets.UTF_8).replace("+", "%20"), null, null));
        assertThat(deployment.toString()).as("a failed target's log names the statement").contains("missing");
        JsonNode page = json(call("GET", "/api/v1/databases?pageSize=1", null, null));
        call("GET", page.get("page").get("next").asText(), null, null);
        call("GET", "/api/v1/databases?status=FAILED&env=prod&name=t", null, null);
        call("GET", "/api/v1/databases/" + page.get("items").get(0).get("id").asText(), null, null);
        call("GET", "/api/v1/databases/nope", null, null);
        call("GET", "/api/v1/directories?page=1&pageSize=10", null, null);
        call("GET", "/health/live", null, null);
        call("GET", "/health/ready", null, null);
    }

    private void errors(String failed) throws Exception {
        call("GET", "/api/v1/databases?status=bogus", null, null);
        call("GET", "/api/v1/deployment-sets?pageSize=501", null, null);
        call("GET", "/api/v1/deployment-sets/nope", null, null);
        call("GET", "/api/v1/deployment-sets/" + failed + "/targets/nope", null, null);
        call("POST", "/api/v1/deployments", "application/json", body("{\"enviroment\": \"prod\"}"));
        call("POST", "/api/v1/deployments", "application/json", body("{\"env\": \"nope\"}"));
        call("POST", "/api/v1/deployments", "application/json", body("{\"env\": \"" + "x".repeat(70_000) + "\"}"));
        call("POST", "/api/v1/deployments", "text/plain", body("{\"env\": \"prod\"}"));
        call("POST", "/api/v1/deployment-sets/" + failed + "/pause", "application/json", body("{}"));
        call("POST", "/api/v1/deployment-sets/nope/retry", "application/json", body("{\"failed\": true}"));
        call("POST", "/api/v1/deployment-sets/" + failed + "/retry", "application/json", body("{}"));
        answer("GET", "/api/v1/databases", fleet.sendAs(null, "GET", "/api/v1/databases", null, null));
        String reader = fleet.host().access().create("reader", List.of(new Grant(Scope.READ, List.of())), "test")
                .text();
        answer("GET", "/api/v1/tokens", fleet.sendAs(reader, "GET", "/api/v1/tokens", null, null));
        answer("POST", "/api/v1/deployments", fleet.sendAs(reader, "POST", "/api/v1/deployments",
                "application/json", body("{\"env\": \"prod\"}")));
    }

    private void access() throws Exception {
        call("GET", "/api/v1/whoami", null, null);
        call("GET", "/api/v1/tokens", null, null);
        JsonNode token = json(call("POST", "/api/v1/tokens", "application/json",
                body("{\"name\": \"ci\", \"scopes\": [\"push:app\", \"read\"]}")));
        call("POST", "/api/v1/tokens", "application/json", body("{\"name\": \"bad\", \"scopes\": []}"));
        call("DELETE", "/api/v1/tokens/" + token.get("id").asText(), null, null);
        call("DELETE", "/api/v1/tokens/nobody", null, null);
        call("GET", "/api/v1/audit?limit=5", null, null);
        call("GET", "/api/v1/dirs/app/webhooks", null, null);
        call("POST", "/api/v1/dirs/app/webhooks", "application/json", body("{\"name\": \"x\", \"hook\": 1}"));
        HttpResponse<String> hook = call("POST", "/api/v1/dirs/app/webhooks", "application/json",
                body("{\"name\": \"ops\", \"url\": \"https://hooks.example.com/flotilla\", \"format\": \"slack\"}"));
        if (hook.statusCode() == 201) {
            String id = json(hook).get("id").asText();
            call("GET", "/api/v1/dirs/app/webhooks/" + id + "/deliveries?page=1&pageSize=5", null, null);
            call("DELETE", "/api/v1/dirs/app/webhooks/" + id, null, null);
        }
        call("DELETE", "/api/v1/dirs/app/webhooks/999", null, null);
        call("GET", "/api/v1/dirs/app/webhooks/abc/deliveries", null, null);
        call("GET", "/api/v1/audit?action=directory.push&actor=dev-admin&before=1000", null, null);
    }

    private List<JsonNode> awaitSets(int n) {
        List<JsonNode> sets = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            sets.clear();
            sets.addAll(fleet.sets());
            return sets.size() >= n && sets.stream().noneMatch(s -> "RUNNING".equals(s.get("status").asText()));
        });
        return sets;
    }

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** A request with the admin token, its answer validated. */
    private HttpResponse<String> call(String method, String pathAndQuery, String contentType, byte[] body)
            throws Exception {
        HttpResponse<String> r = fleet.send(method, pathAndQuery, contentType, body);
        answer(method, pathAndQuery, r);
        return r;
    }

    /**
     * Checks an answer against the document: its operation (by method and path) must declare the
     * status, and a JSON body must match that status's schema.
     */
    private void answer(String method, String pathAndQuery, HttpResponse<String> r) throws Exception {
        String path = pathAndQuery.split("\\?", 2)[0];
        Operation op = contract.findOperation(path, HttpMethod.valueOf(method));
        String what = method + " " + pathAndQuery.substring(0, Math.min(pathAndQuery.length(), 120)) + " -> "
                + r.statusCode();
        if (op == null) {
            problems.add(what + ": no operation of the document matches");
            return;
        }
        String type = r.headers().firstValue("content-type").orElse("");
        JsonNode declared = doc.at("/paths/" + op.getOpenAPIPath().replace("~", "~0").replace("/", "~1") + "/"
                + method.toLowerCase(Locale.ROOT) + "/responses/" + r.statusCode());
        if (declared.isMissingNode()) {
            problems.add(what + ": status not in the document (" + r.body().substring(0, Math.min(200,
                    r.body().length())) + ")");
            return;
        }
        checked.add(op.getOperationId() + " " + r.statusCode());
        if (!type.startsWith("application/json")) {
            JsonNode content = declared.has("$ref") ? doc.at(declared.get("$ref").asText().substring(1)).path("content")
                    : declared.path("content");
            if (!content.has(type.split(";")[0].trim())) {
                problems.add(what + ": media type " + type + " not in the document");
            }
            return;
        }
        try {
            validator.validate(ValidatableResponse.create(r.statusCode(), Buffer.buffer(r.body()), "application/json"),
                    op.getOperationId()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            problems.add(what + ": " + e.getCause() + " in " + r.body().substring(0, Math.min(400, r.body().length())));
        }
    }

    /**
     * The document without the bodies whose media type vertx-openapi 5.0.8 refuses to load; a
     * request body left without content is left out.
     */
    static JsonObject jsonBodiesOnly(JsonNode doc) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(doc, Map.class);
        JsonObject json = new JsonObject(map);
        dropUnsupportedContent(json);
        return json;
    }

    private static void dropUnsupportedContent(Object node) {
        if (node instanceof JsonObject o) {
            if (o.getValue("content") instanceof JsonObject content) {
                content.fieldNames().removeIf(t -> !MediaType.isMediaTypeSupported(t));
                if (content.isEmpty()) {
                    o.remove("content");
                }
            }
            o.forEach(e -> dropUnsupportedContent(e.getValue()));
            if (o.getValue("requestBody") instanceof JsonObject b && !b.containsKey("content")) {
                o.remove("requestBody");
            }
        } else if (node instanceof JsonArray a) {
            a.forEach(OpenApiIT::dropUnsupportedContent);
        }
    }
}
