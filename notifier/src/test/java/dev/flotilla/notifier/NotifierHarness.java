package dev.flotilla.notifier;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.AccessService;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.testkit.KafkaFixture;
import io.vertx.core.json.JsonObject;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A notifier on the in-process Kafka cluster and a store (a scratch PostgreSQL database the caller
 * owns), with the token routes beside it, on a free local port; an admin token; a producer for events.
 */
final class NotifierHarness implements AutoCloseable {
    final ServiceHost host;
    final String admin;
    final int port;
    private final KafkaProducer<String, byte[]> producer;
    private final HttpClient http = HttpClient.newHttpClient();

    NotifierHarness(ServiceStore store, NotifierSettings settings) throws Exception {
        KafkaSettings kafka = KafkaSettings.plain(KafkaFixture.shared().bootstrapServers());
        TopicSetup.ensure(kafka);
        host = new ServiceHost(kafka, store, HttpSettings.loopback());
        NotifierService notifier = new NotifierService(settings);
        host.deploy(notifier).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        host.deploy(new AccessService()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = host.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        admin = token("admin-" + System.nanoTime(), "admin");
        producer = new KafkaProducer<>(new HashMap<>(KafkaClients.producer(kafka, "notifier-test")));
        await().atMost(Duration.ofSeconds(60)).until(notifier::ready);
    }

    /** A token holding {@code scopes}. */
    String token(String name, String... scopes) {
        return host.access().create(name, List.of(scopes).stream().map(Grant::parse).toList(), "test").text();
    }

    void publish(String topic, String key, SpecificRecord event) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, EventSerde.encode(event))).get(30, TimeUnit.SECONDS);
    }

    HttpResponse<String> send(String token, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("content-type", "application/json");
        }
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** As admin; the answer must be 2xx. */
    JsonObject call(String method, String path, JsonObject body) throws Exception {
        HttpResponse<String> r = send(admin, method, path, body == null ? null : body.encode());
        if (r.statusCode() >= 300) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return new JsonObject(r.body());
    }

    /** Creates a webhook as admin; returns its id. */
    long webhook(String dir, JsonObject body) throws Exception {
        return call("POST", "/api/v1/dirs/" + dir + "/webhooks", body).getLong("id");
    }

    JsonObject deliveries(String dir, long id) throws Exception {
        return call("GET", "/api/v1/dirs/" + dir + "/webhooks/" + id + "/deliveries?pageSize=200", null);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        host.close();
    }
}
