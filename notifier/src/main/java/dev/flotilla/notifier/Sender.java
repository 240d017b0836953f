package dev.flotilla.notifier;

import dev.flotilla.migrate.exec.Version;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One attempt of one delivery over HTTP, without blocking: Vert.x' client on the event loop, a
 * connect timeout and a deadline for the whole attempt, no redirects followed, at most
 * {@link #EXCERPT_BYTES} of the answer read. Headers: {@code X-Flotilla-Event}, {@code X-Flotilla-Delivery}
 * (the same on every attempt) and, for a webhook with a secret, {@code X-Hub-Signature-256}.
 */
final class Sender implements AutoCloseable {
    /** The header naming the event. */
    static final String EVENT_HEADER = "X-Flotilla-Event";
    /** The header with the delivery id, for the receiver to deduplicate by. */
    static final String DELIVERY_HEADER = "X-Flotilla-Delivery";
    /** How much of an answer is read and kept. */
    static final int EXCERPT_BYTES = 512;

    private final Vertx vertx;
    private final HttpClient client;
    private final NotifierSettings settings;

    Sender(Vertx vertx, NotifierSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        // Vert.x pools connections per host and port; a receiver that hangs holds at most its own pool.
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setIdleTimeout((int) settings.requestTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS),
                new PoolOptions().setHttp1MaxSize(settings.perWebhookInFlight()).setMaxWaitQueueSize(-1));
    }

    /** Sends the delivery once; the future always succeeds, with how it went. */
    Future<Outcome> send(Delivery d) {
        Webhook w = d.webhook();
        URI url;
        try {
            url = settings.hosts().check(w.url());
        } catch (RuntimeException e) {
            return Future.succeededFuture(Outcome.refused(e.getMessage()));
        }
        byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString())
                .setConnectTimeout(settings.connectTimeout().toMillis())
                .setIdleTimeout(settings.requestTimeout().toMillis()).setFollowRedirects(false)
                .putHeader("content-type", "application/json")
                .putHeader("user-agent", "Flotilla-Webhook/" + Version.VERSION).putHeader(EVENT_HEADER, d.type().wire())
                .putHeader(DELIVERY_HEADER, d.id());
        if (w.secret() != null) {
            o.putHeader(Signatures.HEADER, Signatures.sign(w.secret(), body));
        }
        long t0 = System.nanoTime();
        Promise<Outcome> done = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long deadline = vertx.setTimer(settings.requestTimeout().toMillis(), id -> {
            if (done.tryComplete(failure(w, t0, "no answer within " + settings.requestTimeout().toMillis() + " ms"))
                    && sent.get() != null) {
                sent.get().reset();
            }
        });
        client.request(o).compose(req -> {
            sent.set(req);
            return req.send(Buffer.buffer(body));
        }).compose(resp -> excerpt(resp).map(text -> new Outcome(resp.statusCode(), millis(t0),
                sanitize(text, w), null)))
                .onComplete(ar -> {
                    vertx.cancelTimer(deadline);
                    done.tryComplete(ar.succeeded() ? ar.result() : failure(w, t0, String.valueOf(ar.cause())));
                });
        return done.future();
    }

    private static Future<String> excerpt(HttpClientResponse resp) {
        Promise<String> p = Promise.promise();
        Buffer kept = Buffer.buffer();
        resp.handler(b -> {
            if (kept.length() < EXCERPT_BYTES) {
                kept.appendBuffer(b.getBuffer(0, Math.min(b.length(), EXCERPT_BYTES - kept.length())));
            }
        });
        resp.exceptionHandler(p::tryFail);
        resp.endHandler(v -> p.tryComplete(kept.toString(StandardCharsets.UTF_8)));
        return p.future();
    }

    private static Outcome failure(Webhook w, long t0, String why) {
        return new Outcome(0, millis(t0), null, sanitize(why, w));
    }

    private static long millis(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /**
     * What may be stored and shown of a receiver's answer or of an error about it: printable
     * characters only, at most {@link #EXCERPT_BYTES}, and neither the webhook's secret nor the
     * path and query of its URL (Slack's URLs are secrets; a receiver or an error may echo them).
     */
    static String sanitize(String text, Webhook w) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (w.secret() != null && !w.secret().isEmpty()) {
            s = s.replace(w.secret(), "…");
        }
        try {
            URI u = new URI(w.url());
            s = s.replace(w.url(), HostPolicy.redact(w.url()));
            String pathAndQuery = (u.getRawPath() == null ? "" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            if (pathAndQuery.length() > 1) {
                s = s.replace(pathAndQuery, "/…");
                if (u.getRawPath() != null && u.getRawPath().length() > 1) {
                    s = s.replace(u.getRawPath(), "/…");
                }
            }
        } catch (Exception e) {
            s = s.replace(w.url(), "(the webhook's URL)");
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), EXCERPT_BYTES));
        s.codePoints().limit(EXCERPT_BYTES).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString().strip();
    }

    @Override
    public void close() {
        client.close();
    }
}
