package dev.flotilla.notifier;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on a local port, as a test's Vert.x HTTP server: records every request and
 * answers the statuses queued (then 200), or never answers while {@link #hang} is set.
 */
final class Receiver implements AutoCloseable {
    /** One request as received. */
    record Got(String path, MultiMap headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonObject json() {
            return new JsonObject(text());
        }

        String event() {
            return headers.get(Sender.EVENT_HEADER);
        }
    }

    final List<Got> got = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    volatile boolean hang;
    volatile String answer = "ok";
    private final HttpServer server;

    private Receiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code port} of 127.0.0.1 (0: any free one). */
    static Receiver start(Vertx vertx, int port) throws Exception {
        Receiver[] self = new Receiver[1];
        HttpServer s = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            Receiver r = self[0];
            r.got.add(new Got(req.path(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), b.getBytes()));
            if (r.hang) {
                return; // never answers; the sender's deadline must end the attempt
            }
            Integer status = r.statuses.poll();
            req.response().setStatusCode(status == null ? 200 : status).end(r.answer);
        }));
        self[0] = new Receiver(s);
        s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return self[0];
    }

    int port() {
        return server.actualPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The requests that carried {@code event}. */
    List<Got> of(String event) {
        return got.stream().filter(g -> event.equals(g.event())).toList();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
