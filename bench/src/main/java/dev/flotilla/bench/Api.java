package dev.flotilla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Flotilla's HTTP API as the benchmark uses it: JSON in, JSON out, failures thrown with the body. */
final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    /**
     * @param token the API token every request carries; null for the open routes only
     */
    Api(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    /** A client with the admin token {@code flotilla dev} keeps in {@code dataDir}. */
    /** The port in {@code flotilla dev}'s "API and registry: http://host:PORT/api/v1" line. */
    static int port(String apiLine) {
        return Integer.parseInt(apiLine.replaceAll(".*:(\\d+)/api/v1.*", "$1"));
    }

    static Api withDevToken(int port, Path dataDir) {
        try {
            return new Api(port, Files.readString(dataDir.resolve("admin.token")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("no dev admin token in " + dataDir, e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        return token == null ? b : b.header("authorization", "Bearer " + token);
    }

    JsonNode get(String path) {
        return send(request(path).GET());
    }

    /** The answer, or null when it is 404 (not there yet). */
    JsonNode getOrNull(String path) {
        try {
            return get(path);
        } catch (NotFound e) {
            return null;
        }
    }

    String text(String path) {
        return body(request(path).GET());
    }

    JsonNode post(String path, String contentType, byte[] body) {
        return send(request(path).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Pushes a directory archive under {@code name:tag}. */
    JsonNode push(String name, String tag, byte[] archive) {
        return post("/api/v1/dirs/" + name + "/push?tag=" + tag, "application/x-tar", archive);
    }

    /** Starts a deployment of the env's directory; returns the set id. */
    String deploy(String env) {
        return post("/api/v1/deployments", "application/json",
                ("{\"env\":\"" + env + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("id").asText();
    }

    /** Databases of the env in a status (any status when null), per the aggregator's views. */
    long count(String env, String status) {
        return get("/api/v1/databases?env=" + env + (status == null ? "" : "&status=" + status) + "&pageSize=1")
                .path("page").path("total").asLong();
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            return JSON.readTree(body(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String body(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                throw new NotFound(r.request().uri() + ": " + r.body());
            }
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(r.request().method() + " " + r.request().uri() + " answered "
                        + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("calling " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A 404 answer. */
    static final class NotFound extends IllegalStateException {
        NotFound(String message) {
            super(message);
        }
    }
}
