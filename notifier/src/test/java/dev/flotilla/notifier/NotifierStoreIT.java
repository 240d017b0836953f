package dev.flotilla.notifier;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox on the real PostgreSQL: replays add nothing, claims respect limits and leases, outcomes are kept. */
class NotifierStoreIT {
    private ScratchDatabase scratch;
    private ServiceStore db;
    private NotifierStore store;

    @BeforeEach
    void setUp() {
        scratch = TestDatabases.postgresDatabase("notifystore");
        db = ServiceStore.connect(scratch.jdbcUrl(), null, null, 4, "notifystore-test");
        db.migrate(NotifierStore.DDL);
        db.migrate(NotifierStore.DDL); // idempotent: every start runs it
        store = new NotifierStore(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
        scratch.close();
    }

    private static RolloutChanged rollout(String eventId, int epoch, String state, Instant at) {
        return RolloutChanged.newBuilder(NotificationsTest.rollout(epoch, state, null, null)).setEventId(eventId)
                .setOccurredAt(at).build();
    }

    @Test
    void aReplayedBatchAddsNoDeliveryAndOnlyTransitionsAreTold() throws Exception {
        Webhook w = store.create("app", "ci", "http://127.0.0.1:9/h", WebhookFormat.JSON, EventType.SUBSCRIBABLE,
                null, "test");
        Instant later = Instant.now().plusSeconds(1);
        List<Object> batch = List.of(rollout("a", 1, "RUNNING", later), rollout("b", 2, "PAUSED", later),
                rollout("c", 2, "PAUSED", later), NotificationsTest.result("FAILED", "Error: x"));

        assertThat(store.record(batch)).isEqualTo(3);
        assertThat(store.record(batch)).as("the same batch again, as after a crash before the commit").isZero();
        assertThat(store.record(List.of(NotificationsTest.result("FAILED", "Error: x")))).isZero();

        assertThat(store.deliveries(w.id(), 1, 50).getJsonArray("items").stream()
                .map(o -> ((io.vertx.core.json.JsonObject) o).getString("event")).toList())
                .containsExactlyInAnyOrder("set.started", "set.halted", "target.failed");
    }

    @Test
    void pruningRemovesOnlyFinishedDeliveriesOlderThanTheHistoryKeeps() throws Exception {
        Webhook w = store.create("app", "old", "http://127.0.0.1:9/h", WebhookFormat.JSON, EventType.SUBSCRIBABLE,
                null, "test");
        Instant later = Instant.now().plusSeconds(1);
        store.record(List.of(rollout("a", 1, "RUNNING", later), rollout("b", 2, "PASSED", later)));
        List<Delivery> claimed = store.claim(10, 10, Map.of(), Duration.ofMinutes(1));
        store.complete(claimed.get(0), new Outcome(200, 1, "ok", null), 3, Duration.ZERO);
        try (var c = db.connection(); var st = c.createStatement()) {
            st.executeUpdate("UPDATE notifier_deliveries SET created_at = now() - interval '31 days'");
        }

        assertThat(store.prune(Dispatcher.KEEP)).as("the delivered one; the other is still being tried").isEqualTo(1);
        assertThat(store.deliveries(w.id(), 1, 50).getJsonArray("items")).hasSize(1);
    }

    @Test
    void aWebhookHearsNothingThatHappenedBeforeItWasCreated() throws Exception {
        Webhook w = store.create("app", "late", "http://127.0.0.1:9/h", WebhookFormat.SLACK,
                Set.of(EventType.SET_STARTED), null, "test");

        assertThat(store.record(List.of(rollout("old", 1, "RUNNING", Instant.now().minusSeconds(3600))))).isZero();
        assertThat(store.deliveries(w.id(), 1, 50).getJsonObject("page").getLong("total")).isZero();
    }

    @Test
    void claimsKeepToEachWebhooksShareAndLeaseWhatTheyTake() throws Exception {
        Webhook a = store.create("app", "a", "http://127.0.0.1:9/a", WebhookFormat.JSON, EventType.SUBSCRIBABLE,
                null, "test");
        Webhook b = store.create("app", "b", "http://127.0.0.1:9/b", WebhookFormat.JSON,
                Set.of(EventType.SET_FINISHED), null, "test");
        Instant later = Instant.now().plusSeconds(1);
        for (int i = 0; i < 5; i++) {
            store.record(List.of(MigrationResult.newBuilder(NotificationsTest.result("FAILED", "e"))
                    .setEventId("r" + i).setOccurredAt(later).build()));
        }
        store.record(List.of(rollout("f", 9, "PASSED", later)));

        List<Delivery> first = store.claim(10, 2, Map.of(a.id(), 1), Duration.ofMinutes(1));
        assertThat(first).filteredOn(d -> d.webhook().id() == a.id()).as("a had 1 in flight, 2 allowed").hasSize(1);
        assertThat(first).filteredOn(d -> d.webhook().id() == b.id()).hasSize(1);
        assertThat(first).allMatch(d -> d.attempt() == 1);

        List<Delivery> second = store.claim(10, 2, Map.of(), Duration.ofMinutes(1));
        assertThat(second).as("leased rows are not claimed again").noneMatch(d -> first.stream()
                .anyMatch(f -> f.id().equals(d.id())));
        assertThat(second).hasSize(2).allMatch(d -> d.webhook().id() == a.id());

        Delivery d = second.get(0);
        assertThat(store.complete(d, new Outcome(500, 12, "oops", null), 2, Duration.ZERO)).isEqualTo("RETRYING");
        List<Delivery> third = store.claim(10, 10, Map.of(), Duration.ofMinutes(1));
        Delivery again = third.stream().filter(x -> x.id().equals(d.id())).findFirst().orElseThrow();
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(store.complete(again, new Outcome(500, 9, "oops", null), 2, Duration.ZERO))
                .as("the last attempt").isEqualTo("FAILED");
        assertThat(store.delivery(d.id()).orElseThrow().getJsonArray("attemptLog")).hasSize(2);

        Delivery inFlight = third.stream().filter(x -> !x.id().equals(d.id())).findFirst().orElseThrow();
        assertThat(store.delete("app", inFlight.webhook().id())).isTrue();
        assertThat(store.complete(inFlight, new Outcome(200, 1, "ok", null), 2, Duration.ZERO))
                .as("an attempt that ends after its webhook was deleted is dropped, not an error").isEqualTo("GONE");
    }
}
