package dev.flotilla.aggregator;

import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Predicate;

/**
 * One client of {@code GET /api/v1/events}: Server-Sent Events ({@code id}, {@code event},
 * {@code data} as JSON), filtered by {@code set} and {@code env}, resumed from the
 * {@code Last-Event-ID} header (or {@code lastEventId} parameter). Writes happen on the request's
 * own context; a client that does not read fast enough is disconnected, and its browser reconnects
 * with the last id it got and is sent what it missed. A comment every 15 s keeps proxies from
 * closing an idle stream.
 */
final class EventStream implements LiveEvents.Subscriber {
    private static final long HEARTBEAT_MS = 15_000;

    private final Context context;
    private final HttpServerResponse response;
    private final Predicate<LiveEvents.Event> filter;
    private boolean closed;

    private EventStream(Context context, HttpServerResponse response, Predicate<LiveEvents.Event> filter) {
        this.context = context;
        this.response = response;
        this.filter = filter;
    }

    static void serve(RoutingContext ctx, LiveEvents live) {
        String set = param(ctx, "set");
        String env = param(ctx, "env");
        Long last;
        String lastText = ctx.request().getHeader("last-event-id") != null ? ctx.request().getHeader("last-event-id")
                : ctx.queryParams().get("lastEventId");
        try {
            last = lastText == null || lastText.isBlank() ? null : Long.valueOf(lastText.trim());
        } catch (NumberFormatException e) {
            HttpErrors.fail(ctx, new FlotillaException(ErrorCode.REQUEST_INVALID, "Last-Event-ID \"" + lastText
                    + "\" is not an event id; reconnect without it"));
            return;
        }
        HttpServerResponse r = ctx.response();
        r.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-store").putHeader("x-accel-buffering", "no");
        r.write("retry: 2000\n: connected\n\n");
        EventStream stream = new EventStream(ctx.vertx().getOrCreateContext(), r, LiveEvents.filter(set, env));
        long timer = ctx.vertx().setPeriodic(HEARTBEAT_MS, t -> stream.write(": ping\n\n"));
        r.closeHandler(v -> {
            stream.closed = true;
            ctx.vertx().cancelTimer(timer);
            live.unsubscribe(stream);
        });
        live.subscribe(stream, last);
    }

    private static String param(RoutingContext ctx, String name) {
        String v = ctx.queryParams().get(name);
        return v == null || v.isBlank() ? null : v;
    }

    @Override
    public boolean wants(LiveEvents.Event e) {
        return filter.test(e);
    }

    @Override
    public void send(List<LiveEvents.Event> events) {
        StringBuilder b = new StringBuilder();
        for (LiveEvents.Event e : events) {
            b.append("id: ").append(e.id()).append("\nevent: ").append(e.type()).append("\ndata: ")
                    .append(e.data().encode()).append("\n\n");
        }
        String text = b.toString();
        context.runOnContext(v -> write(text));
    }

    @Override
    public void reset(long at) {
        context.runOnContext(v -> write("id: " + at + "\nevent: reset\ndata: {}\n\n"));
    }

    private void write(String text) {
        if (closed) {
            return;
        }
        if (response.writeQueueFull()) {
            closed = true;
            response.reset(); // too slow: it reconnects with its last id and gets what it missed
            return;
        }
        response.write(text);
    }
}
