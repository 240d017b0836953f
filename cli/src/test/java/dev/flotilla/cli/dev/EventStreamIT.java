package dev.flotilla.cli.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/events}: every target of a rollout shows up in the stream as it changes, none
 * dropped; a client that reconnects with {@code Last-Event-ID} gets what it missed; one whose
 * position is gone is told to reload; filters by set and env hold.
 */
class EventStreamIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The rollout size issue 17 holds the stream to: it keeps up with 5,000 tenants without dropping an event. */
    private static final int TENANTS = 5_000;

    @TempDir
    Path tmp;

    /** One SSE event as a client parsed it. */
    record Sse(long id, String type, JsonNode data) {
    }

    /** A client reading the stream on its own thread. */
    static final class Client implements AutoCloseable {
        final List<Sse> events = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private volatile HttpResponse<Stream<String>> response;

        Client(FleetHarness fleet, String query, String lastEventId) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fleet.url() + "/api/v1/events" + query))
                    .header("authorization", "Bearer " + fleet.token());
            if (lastEventId != null) {
                b.header("last-event-id", lastEventId);
            }
            response = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            reader = new Thread(this::read, "sse-test-client");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            long id = -1;
            String type = null;
            try {
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (line.startsWith("id: ")) {
                        id = Long.parseLong(line.substring(4));
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        events.add(new Sse(id, type, JSON.readTree(line.substring(6))));
                    }
                }
            } catch (Exception e) {
                // closed by the test
            }
        }

        List<Sse> of(String type) {
            return events.stream().filter(e -> type.equals(e.type())).toList();
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    @Test
    void everyTargetOfARolloutReachesTheStreamAndAReconnectGetsWhatItMissed() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenants = [" + IntStream.range(0, TENANTS).mapToObj(i -> "\"t" + i + "\"")
                .collect(Collectors.joining(", ")) + "]\n}\nenv \"prod\" {\n  for_each = toset(local.tenants)\n"
                + "  url = \"sqlite://" + tmp + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n"
                + "env \"qa\" {\n  for_each = toset([\"q1\"])\n  url = \"sqlite://" + tmp + "/${each.value}.db\"\n"
                + "  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "1_init.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
        try (FleetHarness fleet = new FleetHarness(hcl, 8)) {
            await().atMost(WAIT).until(fleet::ready);
            fleet.push(dir, "app", "v1");
            await().atMost(WAIT).until(() -> synced(fleet) == TENANTS + 1);

            try (Client early = new Client(fleet, "?lastEventId=0", null)) {
                await().atMost(WAIT).until(() -> !early.events.isEmpty());
                List<Sse> got = List.copyOf(early.events);
                Sse reset = got.get(0);
                assertThat(reset.type()).as("nobody listened to the first rollout: its events were never kept,"
                        + " so a client from before it must reload first").isEqualTo("reset");
                // The views may still be taking in the first rollout's last records (its commands and
                // progress) as the client joins: those come live, after the reset, never replayed.
                assertThat(got.subList(1, got.size())).as("after the reset only live events")
                        .allSatisfy(e -> assertThat(e.id()).isGreaterThan(reset.id()))
                        .extracting(Sse::type).doesNotContain("reset");
            }

            try (Client all = new Client(fleet, "", null); Client prodOnly = new Client(fleet, "?env=qa", null)) {
                FleetHarness.write(dir, "2_posts.sql", "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n");
                fleet.push(dir, "app", "v2");

                await().atMost(WAIT).until(() -> terminal(all).size() == TENANTS + 1);
                Map<String, String> lastStatus = lastDatabaseStatus(all);
                await().atMost(WAIT).until(() -> lastDatabaseStatus(all).values().stream()
                        .filter("SYNCED"::equals).count() == TENANTS + 1);
                assertThat(lastStatus.keySet()).hasSize(TENANTS + 1);
                assertThat(all.of("database")).allSatisfy(e -> assertThat(e.data().toString()).doesNotContain("url"));
                await().atMost(WAIT).until(() -> all.of("set").stream().anyMatch(e -> "prod".equals(
                        e.data().path("env").asText()) && "PASSED".equals(e.data().path("status").asText())));
                JsonNode prodSet = all.of("set").stream().filter(e -> "prod".equals(e.data().path("env").asText()))
                        .reduce((a, b) -> b).orElseThrow().data();
                assertThat(prodSet.path("succeeded").asInt() + "/" + prodSet.path("total").asInt())
                        .isEqualTo(TENANTS + "/" + TENANTS);
                List<Long> ids = all.events.stream().map(Sse::id).toList();
                assertThat(ids).as("ids increase").isSorted().doesNotHaveDuplicates();
                await().atMost(WAIT).until(() -> terminal(prodOnly).size() == 1);
                assertThat(prodOnly.events).extracting(e -> e.data().path("env").asText()).containsOnly("qa");

                long middle = ids.get(ids.size() / 2);
                try (Client again = new Client(fleet, "", Long.toString(middle))) {
                    // The rollout's last events may still arrive while the reconnect replays: both
                    // clients get them live, so the reconnect must end up with exactly what the
                    // first client saw after `middle`, none lost, none twice, in order.
                    await().atMost(WAIT).untilAsserted(() -> assertThat(again.events).extracting(Sse::id)
                            .containsExactlyElementsOf(all.events.stream().map(Sse::id).filter(i -> i > middle).toList()));
                }
            }
        }
    }

    private static long synced(FleetHarness fleet) throws Exception {
        return fleet.get("/api/v1/databases?status=SYNCED&pageSize=1").path("page").path("total").asLong();
    }

    /** Targets whose deployment the stream showed finished. */
    private static Set<String> terminal(Client c) {
        Set<String> done = ConcurrentHashMap.newKeySet();
        for (Sse e : c.of("deployment")) {
            if (Set.of("PASSED", "FAILED", "NO_ACTION").contains(e.data().path("status").asText())) {
                done.add(e.data().path("targetId").asText());
            }
        }
        return done;
    }

    private static Map<String, String> lastDatabaseStatus(Client c) {
        Map<String, String> last = new ConcurrentHashMap<>();
        for (Sse e : c.of("database")) {
            last.put(e.data().path("id").asText(), e.data().path("status").asText());
        }
        return last;
    }
}
