package dev.flotilla.notifier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notifier end to end on the in-process Kafka cluster and the real PostgreSQL: events become
 * signed deliveries to local HTTP receivers, a receiver that is down gets its deliveries once it is
 * back (across a restart of the notifier), a receiver that hangs does not hold up the others, and
 * no answer or log line shows a webhook's secret or its URL's path.
 */
class WebhookDeliveryIT {
    private static final String SECRET = "whsec-" + UUID.randomUUID();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Vertx vertx = Vertx.vertx();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private ScratchDatabase scratch;
    private ServiceStore store;
    private String dir;

    @BeforeEach
    void setUp() {
        scratch = TestDatabases.postgresDatabase("notify");
        store = ServiceStore.connect(scratch.jdbcUrl(), null, null, 8, "notify-test");
        dir = "app-" + UUID.randomUUID().toString().substring(0, 8);
        Logger flotilla = (Logger) LoggerFactory.getLogger("dev.flotilla");
        flotilla.setLevel(Level.DEBUG);
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void tearDown() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("dev.flotilla")).setLevel(Level.INFO);
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        store.close();
        scratch.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static NotifierSettings fast() {
        return NotifierSettings.fromEnv(Map.of()).withRetries(30, Duration.ofMillis(100), Duration.ofMillis(400));
    }

    private NotifierHarness notifier(NotifierSettings s) throws Exception {
        NotifierHarness h = new NotifierHarness(store, s);
        closing.add(h);
        return h;
    }

    private Receiver receiver(int port) throws Exception {
        Receiver r = Receiver.start(vertx, port);
        closing.add(r);
        return r;
    }

    @Test
    void stateTransitionsFailedTargetsAndReachedVersionsBecomeSignedDeliveriesOncePerEvent() throws Exception {
        NotifierHarness n = notifier(fast());
        Receiver json = receiver(0);
        Receiver slack = receiver(0);
        long hook = n.webhook(dir, new JsonObject().put("name", "ci").put("url", json.url("/hooks/flotilla"))
                .put("secret", SECRET));
        n.webhook(dir, new JsonObject().put("name", "chat").put("url", slack.url("/services/T0/B0/chatpath"))
                .put("format", "slack").put("events", new JsonArray().add("set.finished")));
        n.webhook("other-" + dir, new JsonObject().put("name", "other").put("url", json.url("/other")));
        String set = UUID.randomUUID().toString();

        n.publish(Topics.ROLLOUTS, set, rollout(set, 1, "RUNNING", null, null));
        n.publish(Topics.ROLLOUTS, set, rollout(set, 2, "PAUSED", null, "tenant_2 failed: Error: boom"));
        n.publish(Topics.ROLLOUTS, set, rollout(set, 3, "PAUSED", "alice", "operator pause"));
        n.publish(Topics.ROLLOUTS, set, rollout(set, 4, "RUNNING", "alice", "resumed"));
        RolloutChanged passed = rollout(set, 5, "PASSED", null, null);
        n.publish(Topics.ROLLOUTS, set, passed);
        n.publish(Topics.ROLLOUTS, set, RolloutChanged.newBuilder(passed).setEventId(UUID.randomUUID().toString())
                .build()); // the same epoch again: a replay
        n.publish(Topics.RESULTS, "prod/tenant_1", result(set, "tenant_1", "PASSED"));
        n.publish(Topics.RESULTS, "prod/tenant_1", result(set, "tenant_1", "FAILED"));
        n.publish(Topics.ROLLOUTS, "prod/" + dir, reached("prod", dir));
        n.publish(Topics.ROLLOUTS, "prod/other", reached("prod", "other-dir-nobody-watches"));

        await().atMost(WAIT).until(() -> json.of("env.reached_version").size() == 1
                && json.of("target.failed").size() == 1 && slack.got.size() == 1);
        assertThat(json.got).extracting(Receiver.Got::event).as("in the order of the topic, once each")
                .containsExactlyInAnyOrder("set.started", "set.halted", "set.finished", "target.failed",
                        "env.reached_version");
        for (Receiver.Got g : json.got) {
            assertThat(g.path()).isEqualTo("/hooks/flotilla");
            assertThat(Signatures.verify(SECRET, g.body(), g.headers().get(Signatures.HEADER)))
                    .as("signature of %s", g.event()).isTrue();
            assertThat(g.headers().get(Sender.DELIVERY_HEADER)).isEqualTo(g.json().getString("deliveryId"));
            assertThat(g.json().getString("event")).isEqualTo(g.event());
            assertThat(g.json().getString("directory")).isEqualTo(dir);
            assertThat(g.headers().get("content-type")).isEqualTo("application/json");
        }
        JsonObject halted = json.of("set.halted").get(0).json().getJsonObject("data");
        assertThat(halted.getString("setId")).isEqualTo(set);
        assertThat(halted.getString("reason")).contains("tenant_2 failed");
        JsonObject failed = json.of("target.failed").get(0).json().getJsonObject("data");
        assertThat(failed.getString("target")).isEqualTo("tenant_1");
        assertThat(failed.getString("error")).contains("Error: sql/migrate").doesNotContain("hunter2");

        String text = slack.got.get(0).json().getString("text");
        assertThat(slack.got.get(0).json().fieldNames()).containsExactly("text");
        assertThat(text).contains(set, dir, "prod", "version 7", "8/10 succeeded", "1 failed", "1 skipped",
                "finished PASSED");

        JsonObject history = n.deliveries(dir, hook);
        assertThat(history.getJsonObject("page").getLong("total")).isEqualTo(5);
        for (Object o : history.getJsonArray("items")) {
            JsonObject d = (JsonObject) o;
            assertThat(d.getString("state")).isEqualTo("DELIVERED");
            assertThat(d.getInteger("statusCode")).isEqualTo(200);
            assertThat(d.getInteger("attempts")).isEqualTo(1);
            assertThat(d.getLong("latencyMs")).isNotNull();
            assertThat(d.getString("response")).isEqualTo("ok");
        }
    }

    @Test
    void aReceiverThatIsDownGetsItsDeliveryWhenItIsBackEvenAcrossARestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there once closed: connections are refused
        }
        NotifierHarness first = notifier(fast());
        long hook = first.webhook(dir, new JsonObject().put("name", "down").put("url", "http://127.0.0.1:" + port
                + "/hook").put("secret", SECRET));
        String set = UUID.randomUUID().toString();
        first.publish(Topics.ROLLOUTS, set, rollout(set, 1, "RUNNING", null, null));
        await().atMost(WAIT).until(() -> attempts(first, hook) >= 3);
        JsonObject retrying = first.deliveries(dir, hook).getJsonArray("items").getJsonObject(0);
        assertThat(retrying.getString("state")).isEqualTo("RETRYING");
        assertThat(retrying.getString("error")).containsIgnoringCase("refused");
        assertThat(retrying.getString("nextAttemptAt")).isNotNull();
        first.close();
        closing.remove(first);

        Receiver back = receiver(port);
        back.statuses.add(500);
        back.statuses.add(503);
        NotifierHarness second = notifier(fast());
        await().atMost(WAIT).until(() -> "DELIVERED".equals(second.deliveries(dir, hook).getJsonArray("items")
                .getJsonObject(0).getString("state")));

        JsonObject d = second.deliveries(dir, hook).getJsonArray("items").getJsonObject(0);
        assertThat(d.getInteger("statusCode")).isEqualTo(200);
        List<Integer> codes = new ArrayList<>();
        d.getJsonArray("attemptLog").forEach(a -> codes.add(((JsonObject) a).getInteger("statusCode")));
        assertThat(codes.size()).isEqualTo(d.getInteger("attempts")).isGreaterThanOrEqualTo(6);
        assertThat(codes.subList(codes.size() - 3, codes.size())).containsExactly(500, 503, 200);
        assertThat(codes.subList(0, codes.size() - 3)).as("connection refused: no status").containsOnlyNulls();
        assertThat(back.got).hasSize(3);
        assertThat(back.got).extracting(g -> g.headers().get(Sender.DELIVERY_HEADER)).as("one delivery id throughout")
                .containsOnly(d.getString("id"));
        assertThat(back.got.get(2).event()).isEqualTo("set.started");
    }

    @Test
    void aReceiverThatHangsDoesNotHoldUpTheOtherWebhooks() throws Exception {
        // 8 attempts in flight in all, 2 per webhook: were the stuck receiver's deliveries not held to
        // their share, its 20 would take every slot until their 45 s deadline and starve the fine one.
        NotifierSettings s = fast().withRequestTimeout(Duration.ofSeconds(45)).withInFlight(8, 2);
        NotifierHarness n = notifier(s);
        Receiver stuck = receiver(0);
        stuck.hang = true;
        Receiver fine = receiver(0);
        n.webhook(dir, new JsonObject().put("name", "stuck").put("url", stuck.url("/hook"))
                .put("events", new JsonArray().add("target.failed")));
        long fineHook = n.webhook(dir, new JsonObject().put("name", "fine").put("url", fine.url("/hook"))
                .put("events", new JsonArray().add("target.failed")));
        String set = UUID.randomUUID().toString();

        for (int i = 0; i < 20; i++) {
            n.publish(Topics.RESULTS, "prod/tenant_" + i, result(set, "tenant_" + i, "FAILED"));
        }

        // Well within the 45 s a hung attempt may take: the fine receiver does not wait on the stuck one.
        await().atMost(Duration.ofSeconds(30)).until(() -> fine.got.size() == 20);
        assertThat(stuck.got.size()).as("a hung receiver holds at most its own slots")
                .isLessThanOrEqualTo(s.perWebhookInFlight());
        assertThat(n.deliveries(dir, fineHook).getJsonObject("page").getLong("total")).isEqualTo(20);
    }

    @Test
    void noAnswerAndNoLogLineShowsTheSecretOrTheUrlsPath() throws Exception {
        NotifierHarness n = notifier(fast().withRetries(2, Duration.ofMillis(100), Duration.ofMillis(100)));
        Receiver echo = receiver(0);
        echo.answer = "you sent /services/T0/B0/pathsecret with " + SECRET;
        echo.statuses.add(500);
        echo.statuses.add(500);
        String url = echo.url("/services/T0/B0/pathsecret");
        JsonObject created = n.call("POST", "/api/v1/dirs/" + dir + "/webhooks", new JsonObject()
                .put("name", "echo").put("url", url).put("secret", SECRET));
        long id = created.getLong("id");
        JsonObject ping = n.call("POST", "/api/v1/dirs/" + dir + "/webhooks/" + id + "/test", null);
        await().atMost(WAIT).until(() -> "FAILED".equals(n.deliveries(dir, id).getJsonArray("items")
                .getJsonObject(0).getString("state")));
        echo.statuses.add(404);
        n.publish(Topics.RESULTS, "prod/tenant_9", result(UUID.randomUUID().toString(), "tenant_9", "FAILED"));
        await().atMost(WAIT).until(() -> n.deliveries(dir, id).getJsonObject("page").getLong("total") == 2
                && "FAILED".equals(n.deliveries(dir, id).getJsonArray("items").getJsonObject(0).getString("state")));

        assertThat(created.getString("url")).isEqualTo("http://127.0.0.1:" + echo.port() + "/…");
        assertThat(created.getString("secret")).isEqualTo("…" + SECRET.substring(SECRET.length() - 4));
        assertThat(ping.getString("event")).isEqualTo("ping");
        assertThat(ping.getInteger("statusCode")).as("the test action answers its first attempt").isEqualTo(500);
        assertThat(echo.of("ping").get(0).json().getJsonObject("data").getLong("webhook")).isEqualTo(id);
        List<String> answers = List.of(created.encode(), ping.encode(),
                n.call("GET", "/api/v1/dirs/" + dir + "/webhooks", null).encode(), n.deliveries(dir, id).encode(),
                n.call("GET", "/api/v1/audit", null).encode());
        for (String a : answers) {
            assertThat(a).doesNotContain(SECRET, "pathsecret");
        }
        assertThat(n.deliveries(dir, id).encode()).contains("you sent /… with …");
        List<String> lines = logs.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null
                ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        assertThat(lines).as("the notifier logged its attempts").anyMatch(l -> l.contains("answered HTTP 500"));
        assertThat(lines).noneMatch(l -> l.contains(SECRET) || l.contains("pathsecret"));
    }

    @Test
    void readTokensListAndPushTokensOfTheDirectoryManageWebhooks() throws Exception {
        NotifierHarness n = notifier(fast());
        Receiver r = receiver(0);
        String reader = n.token("reader", "read");
        String pusher = n.token("pusher", "push:" + dir);
        String otherPusher = n.token("other-pusher", "push:elsewhere");
        String body = new JsonObject().put("name", "ci").put("url", r.url("/h")).encode();
        String hooks = "/api/v1/dirs/" + dir + "/webhooks";

        assertThat(n.send(null, "GET", hooks, null).statusCode()).isEqualTo(401);
        assertThat(n.send(reader, "GET", hooks, null).statusCode()).isEqualTo(200);
        assertThat(n.send(reader, "POST", hooks, body).statusCode()).isEqualTo(403);
        HttpResponse<String> denied = n.send(otherPusher, "POST", hooks, body);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("directory \\\"" + dir + "\\\"");
        HttpResponse<String> made = n.send(pusher, "POST", hooks, body);
        assertThat(made.statusCode()).isEqualTo(201);
        long id = new JsonObject(made.body()).getLong("id");
        assertThat(n.send(reader, "DELETE", hooks + "/" + id, null).statusCode()).isEqualTo(403);
        assertThat(n.send(otherPusher, "DELETE", hooks + "/" + id, null).statusCode()).isEqualTo(403);
        assertThat(n.send(otherPusher, "POST", hooks + "/" + id + "/test", null).statusCode()).isEqualTo(403);
        assertThat(n.send(reader, "GET", hooks + "/" + id + "/deliveries", null).statusCode()).isEqualTo(200);

        HttpResponse<String> ftp = n.send(pusher, "POST", hooks, new JsonObject().put("name", "x")
                .put("url", "ftp://example.com/x").encode());
        assertThat(ftp.statusCode()).isEqualTo(400);
        assertThat(ftp.body()).contains("field \\\"url\\\"");
        HttpResponse<String> badEvent = n.send(pusher, "POST", hooks, new JsonObject().put("name", "x")
                .put("url", r.url("/h")).put("events", new JsonArray().add("set.exploded")).encode());
        assertThat(badEvent.statusCode()).isEqualTo(400);
        assertThat(badEvent.body()).contains("field \\\"events\\\"", "set.exploded", "set.finished");
        assertThat(n.send(pusher, "POST", hooks, body).statusCode()).as("one name per directory").isEqualTo(400);
        assertThat(n.send(pusher, "DELETE", hooks + "/" + id, null).statusCode()).isEqualTo(200);
        assertThat(n.send(pusher, "DELETE", hooks + "/" + id, null).statusCode()).isEqualTo(404);

        JsonArray audit = n.call("GET", "/api/v1/audit", null).getJsonArray("items");
        List<String> actions = new ArrayList<>();
        audit.forEach(e -> actions.add(((JsonObject) e).getString("actor") + " " + ((JsonObject) e).getString("action")
                + " " + ((JsonObject) e).getString("outcome")));
        assertThat(actions).contains("pusher webhook.create ok", "pusher webhook.delete ok",
                "other-pusher request.denied denied", "reader request.denied denied");
    }

    private int attempts(NotifierHarness n, long hook) throws Exception {
        JsonArray items = n.deliveries(dir, hook).getJsonArray("items");
        return items.isEmpty() ? 0 : items.getJsonObject(0).getInteger("attempts");
    }

    private RolloutChanged rollout(String set, int epoch, String state, String actor, String reason) {
        return RolloutChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(set).setEnv("prod").setDirectory(dir).setVersionId("ab12").setTargetVersion("7")
                .setEpoch(epoch).setState(state).setStoppedGroups(List.of()).setReason(reason).setActor(actor)
                .setPlanned(10).setSucceeded(8).setFailed(1).setSkipped(1).build();
    }

    private MigrationResult result(String set, String target, String status) {
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setDeploymentSetId(set).setTargetId("prod/" + target).setCommandId(set + "/0").setAttempt(1)
                .setEnv("prod").setDirectory(dir).setVersionId("ab12").setTargetName(target)
                .setRedactedUrl("postgres://app:xxxxx@db/" + target).setStatus(status).setFromVersion("6")
                .setToVersion("7").setFiles(List.of())
                .setError("FAILED".equals(status) ? "Error: sql/migrate: executing statement \"ALTER\" from version"
                        + " \"7\": connecting to postgres://app:hunter2@db/t failed" : null)
                .setStartedAt(Instant.now()).setEndedAt(Instant.now()).setWorkerId("w1").build();
    }

    private static EnvReachedVersion reached(String env, String directory) {
        return EnvReachedVersion.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setEnv(env).setDirectory(directory).setVersionId("ab12").setVersion("7").setTargets(10).build();
    }
}
