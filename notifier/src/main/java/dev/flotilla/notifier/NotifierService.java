package dev.flotilla.notifier;

import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.Requests;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.StoreBackedService;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.fabric.access.AuditEvent;
import dev.flotilla.fabric.access.AuditTrail;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The notifier: webhooks per directory, told about deployment sets that start, halt and finish,
 * targets that fail and envs that reach a version. Reads Kafka in its own consumer group, keeps an
 * outbox of deliveries in the store and sends them with retries ({@link Dispatcher}); serves
 * {@code /api/v1/dirs/{name}/webhooks}. Reading webhooks and their deliveries takes scope {@code read};
 * creating, deleting and testing them takes {@code push} for that directory (or {@code admin}): whoever
 * may change a directory decides who hears about its rollouts.
 */
public final class NotifierService extends StoreBackedService {
    private static final String NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";
    private static final Set<String> FIELDS = Set.of("name", "url", "format", "events", "secret");
    private static final int MIN_SECRET = 12;

    private final NotifierSettings settings;
    private NotifierStore store;
    private Sender sender;
    private Dispatcher dispatcher;
    private EventsConsumer consumer;
    private SupervisedLoop consumerLoop;
    private SupervisedLoop dispatchLoop;
    private AuditTrail audit;
    private Api api;
    private Vertx vertx;

    /** With the settings of the environment ({@link NotifierSettings#fromEnv}). */
    public NotifierService() {
        this(NotifierSettings.fromEnv(System.getenv()));
    }

    public NotifierService(NotifierSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "notifier";
    }

    @Override
    protected int jdbcThreads() {
        return 4;
    }

    @Override
    protected void prepare(ServiceHost host) {
        host.store().migrate(NotifierStore.DDL);
        store = new NotifierStore(host.store());
        sender = new Sender(host.vertx(), settings);
        dispatcher = new Dispatcher(store, sender, settings, host.meters());
        consumer = new EventsConsumer(host.kafka(), store, dispatcher::wake, host.meters());
        audit = host.access() == null ? null : host.access().audit();
        vertx = host.vertx();
    }

    @Override
    protected void serve(ServiceHost host) {
        api = host.api();
        String hooks = "/api/v1/dirs/:name/webhooks";
        api.get(hooks, Scope.READ, this::list);
        api.json(HttpMethod.POST, hooks, Scope.PUSH, this::create);
        api.route(HttpMethod.DELETE, hooks + "/:id", Set.of(Scope.PUSH), this::delete);
        api.route(HttpMethod.POST, hooks + "/:id/test", Set.of(Scope.PUSH), this::test);
        api.get(hooks + "/:id/deliveries", Scope.READ, this::deliveries);
        dispatchLoop = SupervisedLoop.start("flotilla-notifier-dispatch", dispatcher);
        consumerLoop = SupervisedLoop.start("flotilla-notifier-consumer", consumer);
    }

    private void list(RoutingContext ctx) {
        String dir = directory(ctx);
        answer(ctx, 200, () -> new JsonObject().put("items", new JsonArray(store.list(dir).stream()
                .map(Webhook::json).toList())));
    }

    private void create(RoutingContext ctx) {
        String dir = directory(ctx);
        JsonObject body = Requests.jsonBody(ctx, FIELDS);
        String name = Requests.requiredString(body, "name");
        if (!name.matches(NAME_PATTERN)) {
            throw Requests.invalid("field \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        String url = settings.hosts().check(Requests.requiredString(body, "url")).toString();
        String f = Requests.string(body, "format");
        WebhookFormat format = f == null ? WebhookFormat.JSON : WebhookFormat.of(f).orElseThrow(() ->
                Requests.invalid("field \"format\" is \"" + f + "\"; it must be json or slack"));
        Set<EventType> events = events(body);
        String secret = Requests.string(body, "secret");
        if (secret != null && (secret.length() < MIN_SECRET || secret.isBlank())) {
            throw Requests.invalid("field \"secret\" must have at least " + MIN_SECRET + " characters");
        }
        api.require(ctx, Scope.PUSH, "directory", dir);
        AuditEvent event = Api.event(ctx, "webhook.create", "directory " + dir + " webhook " + name, "ok",
                HostPolicy.redact(url) + ", " + format.word() + ", events " + events.stream().map(EventType::wire)
                        .sorted().toList() + (secret == null ? ", unsigned" : ", signed"));
        answer(ctx, 201, () -> {
            Webhook w = store.create(dir, name, url, format, events, secret, event.actor());
            record(event);
            return w.json();
        });
    }

    private static Set<EventType> events(JsonObject body) {
        Object v = body.getValue("events");
        if (v == null) {
            return EventType.SUBSCRIBABLE;
        }
        if (!(v instanceof JsonArray a) || a.isEmpty()) {
            throw Requests.invalid("field \"events\" must be a non-empty array of " + EventType.names());
        }
        Set<EventType> out = EnumSet.noneOf(EventType.class);
        for (Object o : a) {
            String n = o instanceof String s ? s : String.valueOf(o);
            out.add(EventType.subscribable(n).orElseThrow(() -> Requests.invalid("field \"events\" holds \"" + n
                    + "\"; events are " + EventType.names())));
        }
        return out;
    }

    private void delete(RoutingContext ctx) {
        String dir = directory(ctx);
        long id = id(ctx);
        api.require(ctx, Scope.PUSH, "directory", dir);
        AuditEvent event = Api.event(ctx, "webhook.delete", "directory " + dir + " webhook " + id, "ok", null);
        answer(ctx, 200, () -> {
            Webhook w = found(dir, id);
            store.delete(dir, id);
            record(event);
            return w.json();
        });
    }

    /** Queues a ping for the webhook, waits (bounded) for its first attempt, and answers the delivery. */
    private void test(RoutingContext ctx) {
        String dir = directory(ctx);
        long id = id(ctx);
        api.require(ctx, Scope.PUSH, "directory", dir);
        AuditEvent event = Api.event(ctx, "webhook.test", "directory " + dir + " webhook " + id, "ok", null);
        String delivery = UUID.randomUUID().toString();
        CompletableFuture<String> first = dispatcher.attemptOf(delivery); // before the row exists: no attempt is missed
        jdbc().executeBlocking(() -> {
            Webhook w = found(dir, id);
            store.enqueue(UUID.fromString(delivery), w, Notifications.ping(w, event.actor()));
            record(event);
            return delivery;
        }, false).onFailure(e -> dispatcher.stopWaiting(delivery)).compose(d -> {
            dispatcher.wake();
            Duration wait = settings.connectTimeout().plus(settings.requestTimeout()).plusSeconds(2);
            CompletableFuture<String> bounded = first.completeOnTimeout("PENDING", wait.toMillis(),
                    TimeUnit.MILLISECONDS).whenComplete((s, e) -> dispatcher.stopWaiting(delivery));
            return Future.fromCompletionStage(bounded, vertx.getOrCreateContext()).compose(s -> jdbc()
                    .executeBlocking(() -> store.delivery(delivery).orElseThrow(() -> new FlotillaException(
                    ErrorCode.NOT_FOUND, "webhook " + id + " was deleted while its test ran")), false));
        }).onSuccess(j -> HttpErrors.json(ctx, 200, j)).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    private void deliveries(RoutingContext ctx) {
        String dir = directory(ctx);
        long id = id(ctx);
        int page = Requests.intParam(ctx, "page", 1, 1, 1_000_000);
        int pageSize = Requests.intParam(ctx, "pageSize", 20, 1, 200);
        answer(ctx, 200, () -> {
            found(dir, id);
            return store.deliveries(id, page, pageSize);
        });
    }

    private Webhook found(String dir, long id) {
        return store.find(dir, id).orElseThrow(() -> new FlotillaException(ErrorCode.NOT_FOUND, "directory \""
                + dir + "\" has no webhook " + id + "; 'flotilla webhook list --dir " + dir + "' shows them"));
    }

    private static String directory(RoutingContext ctx) {
        String dir = ctx.pathParam("name");
        if (dir == null || !dir.matches(NAME_PATTERN)) {
            throw Requests.invalid("directory name \"" + dir + "\" must be letters, digits, '.', '_' or '-'");
        }
        return dir;
    }

    private static long id(RoutingContext ctx) {
        String v = ctx.pathParam("id");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw Requests.invalid("webhook id \"" + v + "\" must be a number; 'flotilla webhook list' shows them");
        }
    }

    private void record(AuditEvent e) {
        if (audit != null) {
            audit.record(e);
        }
    }

    private void answer(RoutingContext ctx, int status, Callable<JsonObject> work) {
        jdbc().executeBlocking(work, false).onSuccess(j -> HttpErrors.json(ctx, status, j))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    @Override
    protected Future<Void> halt() {
        if (consumerLoop != null) {
            consumerLoop.stop(Duration.ofSeconds(10));
        }
        if (dispatchLoop != null) {
            dispatchLoop.stop(Duration.ofSeconds(10));
            dispatcher.drain(Duration.ofSeconds(5));
        }
        if (sender != null) {
            sender.close();
        }
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return consumer != null && consumer.caughtUp() && consumerLoop != null && consumerLoop.isUp()
                && dispatchLoop != null && dispatchLoop.isUp();
    }
}
