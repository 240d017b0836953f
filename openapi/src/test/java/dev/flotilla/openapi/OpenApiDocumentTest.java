package dev.flotilla.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Vertx;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document on its own: a valid OpenAPI 3.1 contract (Vert.x loads it, resolving every
 * reference), and every operation says what a client needs: an id, its scopes or that it is open,
 * each path parameter, and the errors its guards answer. Whether it matches the routes the
 * services declare, and the answers they give, is checked against a whole fleet in the cli's
 * {@code OpenApiIT}.
 */
class OpenApiDocumentTest {
    private static final Set<String> SCOPES = Set.of("read", "push", "deploy", "admin");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private static JsonNode document() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(OpenApiService.read(OpenApiService.RESOURCE));
    }

    @Test
    void vertxLoadsItAsAnOpenApi31Contract() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            OpenAPIContract contract = OpenAPIContract.from(vertx, jsonBodiesOnly(document()))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
            assertThat(contract.operation("createDeployment").getOpenAPIPath()).isEqualTo("/api/v1/deployments");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The document without the bodies whose media type vertx-openapi 5.0.8 refuses to load
     * (application/x-tar, forms, text/event-stream, YAML, HTML, CSS, JavaScript): Vert.x checks the
     * rest, which is every JSON schema.
     */
    static io.vertx.core.json.JsonObject jsonBodiesOnly(JsonNode doc) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = new ObjectMapper().convertValue(doc, Map.class);
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(map);
        dropUnsupportedContent(json);
        return json;
    }

    private static void dropUnsupportedContent(Object node) {
        if (node instanceof io.vertx.core.json.JsonObject o) {
            if (o.getValue("content") instanceof io.vertx.core.json.JsonObject content) {
                content.fieldNames().removeIf(t -> !io.vertx.openapi.contract.MediaType.isMediaTypeSupported(t));
                if (content.isEmpty()) {
                    o.remove("content");
                }
            }
            o.forEach(e -> dropUnsupportedContent(e.getValue()));
            // A request body must have content: one with none left is not described to Vert.x at all.
            if (o.getValue("requestBody") instanceof io.vertx.core.json.JsonObject body && !body.containsKey("content")) {
                o.remove("requestBody");
            }
        } else if (node instanceof io.vertx.core.json.JsonArray a) {
            a.forEach(OpenApiDocumentTest::dropUnsupportedContent);
        }
    }

    @Test
    void everyOperationHasAnIdAndEitherScopesOrIsOpen() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new TreeSet<>();
        forEachOperation(document(), (what, op) -> {
            if (!op.hasNonNull("operationId") || !ids.add(op.get("operationId").asText())) {
                problems.add(what + ": no operationId, or one used twice");
            }
            boolean open = op.has("security") && (op.get("security").isEmpty()
                    || op.get("security").get(0).isEmpty());
            JsonNode scopes = op.path("x-flotilla-scopes");
            if (open == scopes.size() > 0) {
                problems.add(what + ": an operation is either open (security: []) or lists x-flotilla-scopes");
            }
            scopes.forEach(s -> {
                if (!SCOPES.contains(s.asText())) {
                    problems.add(what + ": unknown scope " + s);
                }
            });
            if (!open && !(op.path("responses").has("401") && op.path("responses").has("403"))) {
                problems.add(what + ": a guarded operation answers 401 and 403");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyBodyCanBeRefusedAndEveryPathParameterIsDeclared() throws Exception {
        List<String> problems = new ArrayList<>();
        forEachOperation(document(), (what, op) -> {
            String path = what.substring(what.indexOf(' ') + 1);
            Matcher m = PATH_PARAM.matcher(path);
            while (m.find()) {
                String name = m.group(1);
                boolean declared = false;
                for (JsonNode p : op.path("parameters")) {
                    JsonNode resolved = p.has("$ref") ? resolve(p.get("$ref").asText()) : p;
                    declared |= name.equals(resolved.path("name").asText()) && "path".equals(resolved.path("in")
                            .asText());
                }
                if (!declared) {
                    problems.add(what + ": path parameter " + name + " is not declared");
                }
            }
            if (op.has("requestBody") && !(op.path("responses").has("413") && op.path("responses").has("415"))) {
                problems.add(what + ": a route with a body answers 413 (too large) and 415 (wrong type)");
            }
        });
        assertThat(problems).isEmpty();
    }

    private static JsonNode resolve(String ref) throws RuntimeException {
        try {
            return document().at(ref.substring(1));
        } catch (Exception e) {
            throw new IllegalStateException(ref, e);
        }
    }

    interface OperationCheck {
        void check(String what, JsonNode operation);
    }

    static void forEachOperation(JsonNode doc, OperationCheck check) {
        for (Map.Entry<String, JsonNode> path : doc.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (Set.of("get", "post", "put", "delete", "patch", "head", "options").contains(op.getKey())) {
                    check.check(op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(), op.getValue());
                }
            }
        }
    }
}
