package dev.flotilla.cli;

import dev.flotilla.migrate.Hashes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JSON answers the CLI's tests put in the API's mouth, recorded by {@link FakeFlotilla} as they
 * are served, one file each, by route (path parameters replaced by their names) and status.
 */
public final class CannedAnswers {
    /** Where the unit tests leave them for the integration tests (relative to the module). */
    public static final Path DIR = Path.of("target", "api-contract");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One canned answer.
     *
     * @param route e.g. {@code GET /api/v1/deployment-sets/{id}}
     */
    public record Answer(String route, int status, JsonNode body) {
    }

    private CannedAnswers() {
    }

    /** The route a raw request path belongs to: {@code /api/v1/databases/prod%2Ft1} → {@code /api/v1/databases/{id}}. */
    public static String route(String method, String rawPath) {
        String p = rawPath.replaceFirst("^/api/v1/deployment-sets/[^/]+/targets/[^/]+$",
                "/api/v1/deployment-sets/{id}/targets/{targetId}")
                .replaceFirst("^/api/v1/deployment-sets/[^/{]+$", "/api/v1/deployment-sets/{id}")
                .replaceFirst("^/api/v1/databases/[^/]+$", "/api/v1/databases/{id}")
                .replaceFirst("^/api/v1/tokens/[^/]+$", "/api/v1/tokens/{id}")
                .replaceFirst("^/api/v1/dirs/[^/]+/(push|archive)$", "/api/v1/dirs/{name}/$1")
                .replaceFirst("^/api/v1/dirs/[^/]+/webhooks/[^/]+/(test|deliveries)$", "/api/v1/dirs/{name}/webhooks/{id}/$1")
                .replaceFirst("^/api/v1/dirs/[^/]+/webhooks/[^/]+$", "/api/v1/dirs/{name}/webhooks/{id}")
                .replaceFirst("^/api/v1/dirs/[^/]+/webhooks$", "/api/v1/dirs/{name}/webhooks");
        return method + " " + p;
    }

    static void record(String method, String rawPath, int status, byte[] body) {
        if (!rawPath.startsWith("/api/v1/")) {
            return; // the HTTP client's own tests, on made-up paths
        }
        try {
            ObjectNode answer = JSON.createObjectNode().put("route", route(method, rawPath)).put("status", status);
            answer.set("body", JSON.readTree(body));
            Files.createDirectories(DIR);
            Files.write(DIR.resolve(Hashes.sha256Hex(body).substring(0, 16) + ".json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a canned answer in " + DIR, e);
        }
    }

    /** Every answer recorded so far (by this module's unit tests). */
    public static List<Answer> load() throws IOException {
        List<Answer> out = new ArrayList<>();
        if (!Files.isDirectory(DIR)) {
            return out;
        }
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.sorted().toList()) {
                JsonNode a = JSON.readTree(f.toFile());
                out.add(new Answer(a.path("route").asText(), a.path("status").asInt(), a.path("body")));
            }
        }
        return out;
    }
}
