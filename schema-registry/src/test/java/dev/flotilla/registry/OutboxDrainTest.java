package dev.flotilla.registry;

import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.migrate.exec.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox drain on an in-memory outbox and a mock producer: a row Kafka refuses gets its own
 * next attempt while the rows behind it go out; a store that fails ends the run, the loop reports
 * DOWN and comes back when the store does.
 */
class OutboxDrainTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Outbox outbox = new Outbox();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> sent = new ArrayList<>();
    private SupervisedLoop loop;

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(10));
        }
    }

    private OutboxDrain drain() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r) {
                if (r.key().startsWith("too-large")) {
                    return CompletableFuture.failedFuture(new RecordTooLargeException("The message is 2097240 bytes"
                            + " when serialized which is larger than 1048576"));
                }
                synchronized (sent) {
                    sent.add(r.key());
                }
                return super.send(r);
            }
        };
        // Waits of the next attempt: always the longest, 1 s then 2 s and so on.
        RetryPolicy backoff = new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(1), Duration.ofMinutes(1),
                () -> 0.999_999, RetryPolicy.THREAD_SLEEP);
        return new OutboxDrain(outbox, Map.of(), settings -> producer, meters, backoff);
    }

    @Test
    void aRowKafkaRefusesWaitsItsTurnWhileTheRowsBehindItGoOut() {
        outbox.add("too-large-1");
        outbox.add("v-2");
        outbox.add("v-3");
        OutboxDrain drain = drain();
        Instant before = Instant.now();

        loop = SupervisedLoop.start("outbox-test", drain);

        await().atMost(WAIT).until(() -> sentKeys().containsAll(List.of("v-2", "v-3")));
        Row stuck = outbox.row(1);
        assertThat(stuck).isNotNull();
        assertThat(stuck.attempts).isPositive();
        assertThat(stuck.lastError).startsWith("RecordTooLargeException: The message is 2097240 bytes");
        assertThat(stuck.next).isAfter(before.plusMillis(900));
        assertThat(outbox.rows()).as("only the refused row waits").containsOnlyKeys(1L);
        assertThat(meters.get("flotilla_registry_outbox_failures_total").counter().count()).isPositive();
        await().atMost(WAIT).until(() -> meters.get("flotilla_registry_outbox_pending").gauge().value() == 1.0);
        assertThat(loop.isUp()).isTrue();
        assertThat(sentKeys()).doesNotContain("too-large-1");
    }

    @Test
    void aStoreThatFailsTakesTheDrainDownUntilItComesBack() {
        outbox.failing = true;
        OutboxDrain drain = drain();

        loop = SupervisedLoop.start("outbox-test", drain);

        await().atMost(WAIT).until(() -> loop.restarts() >= 1);
        assertThat(loop.isUp()).isFalse();
        assertThat(loop.lastFailure()).contains("the store is down");
        outbox.failing = false;
        outbox.add("v-after");
        await().atMost(WAIT).until(() -> loop.isUp() && sentKeys().contains("v-after"));
    }

    private List<String> sentKeys() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** A queued row. */
    private static final class Row {
        final String key;
        int attempts;
        String lastError;
        Instant next = Instant.EPOCH;

        Row(String key) {
            this.key = key;
        }
    }

    /** The outbox part of a registry store, in memory; the rest is not needed here. */
    private static final class Outbox implements RegistryStore {
        private final TreeMap<Long, Row> rows = new TreeMap<>();
        private long seq;
        volatile boolean failing;

        synchronized void add(String key) {
            rows.put(++seq, new Row(key));
        }

        synchronized Row row(long s) {
            return rows.get(s);
        }

        synchronized Map<Long, Row> rows() {
            return new TreeMap<>(rows);
        }

        private void check() {
            if (failing) {
                throw new IllegalStateException("the store is down");
            }
        }

        @Override
        public synchronized Optional<OutboxEvent> nextDue() {
            check();
            Instant now = Instant.now();
            return rows.entrySet().stream().filter(e -> !e.getValue().next.isAfter(now)).findFirst()
                    .map(e -> new OutboxEvent(e.getKey(), e.getValue().key, new byte[] {1}, e.getValue().attempts));
        }

        @Override
        public synchronized Optional<Instant> nextAttemptAt() {
            check();
            return rows.values().stream().map(r -> r.next).min(Instant::compareTo);
        }

        @Override
        public synchronized void published(long s) {
            check();
            rows.remove(s);
        }

        @Override
        public synchronized void failed(long s, String error, Instant nextAttemptAt) {
            check();
            Row r = rows.get(s);
            r.attempts++;
            r.lastError = error;
            r.next = nextAttemptAt;
        }

        @Override
        public synchronized long pending() {
            check();
            return rows.size();
        }

        @Override
        public Put put(StoredVersion version, String tag, java.util.function.Supplier<byte[]> event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<OutboxState> outboxState(long s) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<OutboxState> pendingAnnouncement(String directory, String versionId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StoredVersion> byTag(String directory, String tag) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StoredVersion> byId(String versionId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DirectoryPage directories(int offset, int limit) {
            throw new UnsupportedOperationException();
        }
    }
}
