package dev.flotilla.notifier;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.OffsetCommits;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code flotilla.rollouts} and {@code flotilla.results} in the consumer group {@code notifier}
 * (so it never holds up the workers or the aggregator), on its own thread. Per polled batch, the
 * events worth telling are recorded in one store transaction (the sets' states and the deliveries to
 * make: the outbox), then the offsets are committed, at most once a second ({@link OffsetCommits}): a
 * crash in between replays the batches since, which add nothing twice. Sending is the {@link Dispatcher}'s: a slow receiver never slows this loop. Records
 * that do not decode are skipped with a warning (the aggregator, which reads the same topics, parks
 * them on the dead-letter topic).
 */
final class EventsConsumer implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(EventsConsumer.class);
    /** The consumer group. */
    static final String GROUP = "notifier";

    /**
     * How long the broker may hold a fetch to gather events: added to a notification's delay at most
     * once. Every fetch that expires empty costs the broker and this loop a round of thread
     * wake-ups: at 100 ms the notifier alone took 40 ms of CPU a second from an idle
     * {@code flotilla dev} (190 ms in all), CPU a rollout on the same machine then lacks; a webhook
     * half a second later is still timely.
     */
    static final int BATCH_WAIT_MS = 500;
    /** Offsets are committed this often while events flow, and whenever none came (replays add nothing twice). */
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private final KafkaSettings kafka;
    private final NotifierStore store;
    private final Runnable queued;
    private final Counter undecodable;
    private volatile boolean caughtUp;

    EventsConsumer(KafkaSettings kafka, NotifierStore store, Runnable queued, MeterRegistry meters) {
        this.kafka = kafka;
        this.store = store;
        this.queued = queued;
        this.undecodable = Counter.builder("flotilla_notifier_undecodable_events_total")
                .description("records the notifier could not decode and skipped").register(meters);
    }

    @Override
    public void run(SupervisedLoop loop) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.batchingConsumer(kafka, GROUP,
                "notifier", BATCH_WAIT_MS))) {
            OffsetCommits commits = new OffsetCommits(consumer, COMMIT_INTERVAL);
            loop.onStop(consumer::wakeup);
            consumer.subscribe(List.of(Topics.ROLLOUTS, Topics.RESULTS), commits);
            try {
                while (loop.running()) {
                    ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(BATCH_WAIT_MS));
                    loop.up();
                    if (batch.isEmpty()) {
                        caughtUp = true;
                        commits.idle();
                        continue;
                    }
                    List<Object> events = relevant(batch);
                    if (!events.isEmpty() && !record(loop, events)) {
                        break; // stopped before the batch was recorded: not committed, read again next time
                    }
                    commits.applied(batch);
                }
            } catch (WakeupException e) {
                if (loop.running()) {
                    throw e;
                }
            }
            commits.close();
        }
    }

    /** The events that may call for a notification; the rest (progress, passed results) are passed over. */
    private List<Object> relevant(ConsumerRecords<String, byte[]> batch) {
        List<Object> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            Object e;
            try {
                e = EventSerde.decode(r.value());
            } catch (RuntimeException ex) {
                undecodable.increment();
                LOG.warn("skipping record {}-{}@{}: it does not decode: {}", r.topic(), r.partition(), r.offset(),
                        ex.getMessage());
                continue;
            }
            if (e instanceof RolloutChanged || e instanceof EnvReachedVersion
                    || e instanceof MigrationResult m && "FAILED".equals(m.getStatus())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Records the batch, retrying while the store is away; false when stopped first. */
    private boolean record(SupervisedLoop loop, List<Object> events) {
        long wait = 500;
        while (loop.running()) {
            try {
                if (store.record(events) > 0) {
                    queued.run();
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                LOG.warn("recording {} events for webhooks failed, retrying in {} ms: {}", events.size(), wait,
                        e.getMessage());
                loop.down("recording events failed: " + e.getMessage());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                wait = Math.min(wait * 2, 10_000);
                loop.up();
            }
        }
        return false;
    }

    /** Whether it has read up to the end once. */
    boolean caughtUp() {
        return caughtUp;
    }
}
