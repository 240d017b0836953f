package dev.flotilla.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A canned Flotilla API on a free local port, started before and stopped after each test
 * ({@code @RegisterExtension final FakeFlotilla server = new FakeFlotilla();}): each
 * {@code METHOD path} answers its queued replies in order and then repeats the last one; unknown
 * routes answer 404. Records every request.
 *
 * <p>Every canned JSON answer on {@code /api/v1} is also written to {@link CannedAnswers#DIR}, so that
 * {@code ApiContract} can check it against what the real aggregator answers on the same route: the
 * CLI's tests cannot drift from the API they stand in for.
 */
final class FakeFlotilla implements BeforeEachCallback, AfterEachCallback {
    /** One request as received; {@code query} is raw (null when absent). */
    record Request(String method, String path, String query, String contentType, String authorization, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** @param fromFake the fake's own answer (no route), not one a test canned */
    private record Reply(int status, String contentType, byte[] body, Map<String, String> headers, boolean fromFake) {
    }

    private final Map<String, Deque<Reply>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.stop(0);
    }

    /** Queues a JSON reply for {@code method path} (path without query, as sent, i.e. still encoded). */
    FakeFlotilla json(String method, String path, int status, String json) {
        return reply(method, path, new Reply(status, "application/json", json.getBytes(StandardCharsets.UTF_8),
                Map.of(), false));
    }

    /** Queues a binary reply. */
    FakeFlotilla bytes(String method, String path, String contentType, byte[] body, Map<String, String> headers) {
        return reply(method, path, new Reply(200, contentType, body, headers, false));
    }

    private FakeFlotilla reply(String method, String path, Reply reply) {
        routes.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).add(reply);
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The recorded requests to {@code method path}. */
    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                ex.getRequestHeaders().getFirst("content-type"), ex.getRequestHeaders().getFirst("authorization"),
                ex.getRequestBody().readAllBytes()));
        Reply r = next(ex.getRequestMethod() + " " + path);
        if (r.contentType().equals("application/json") && !r.fromFake()) {
            CannedAnswers.record(ex.getRequestMethod(), path, r.status(), r.body());
        }
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("content-type", r.contentType());
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body());
        }
    }

    private Reply next(String key) {
        Deque<Reply> q = routes.get(key);
        if (q == null || q.isEmpty()) {
            byte[] body = ("{\"error\":\"no route " + key + "\",\"code\":\"NOT_FOUND\"}").getBytes(StandardCharsets.UTF_8);
            return new Reply(404, "application/json", body, Map.of(), true);
        }
        synchronized (q) {
            return q.size() > 1 ? q.poll() : q.peek();
        }
    }
}
