package dev.flotilla.aggregator;

import dev.flotilla.fabric.ConsumerLag;
import dev.flotilla.fabric.DeadLetters;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.OffsetCommits;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The aggregator's consume loop, run by a {@link SupervisedLoop} on its own named thread (JDBC
 * never runs on the event loop): poll a batch, apply it to the views in one transaction
 * ({@link BatchApplier}: a round trip per kind of statement, not per event), then commit the
 * offsets. A crash between the two replays the batch, which the idempotent upserts absorb. A batch
 * that fails is retried until it passes (the loop reports DOWN meanwhile), except for the events
 * whose values the views reject, which are parked on the dead-letter topic. Any other failure ends
 * the run; the supervisor starts a new one with new clients.
 */
final class ResultsConsumer implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsConsumer.class);
    /** How long to wait for results between two batches of other events. */
    private static final Duration RESULTS_WAIT = Duration.ofMillis(5);
    /** How long the broker may hold a fetch to fill a batch: added to visibility at most once. */
    static final int BATCH_WAIT_MS = 25;
    /**
     * The most events of a batch applied at once while results flow (see chunks): with 100, the
     * slowest 1% of a 5,000-tenant rollout's results to show still came in its fan-out's first
     * second (p99 182 ms); with 50 they were spread over the rollout (p99 103 ms).
     */
    static final int CHUNK_WHILE_RESULTS_FLOW = 50;
    /** Results flow when some came within this time. */
    private static final long RESULTS_FLOW_NANOS = 1_000_000_000L;
    /** While batches keep coming, offsets are committed this often (and whenever the loop is idle). */
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private final KafkaSettings kafka;
    private final BatchApplier applier;
    private final ViewMaintenance maintenance;
    private final Counter results;
    private final Counter failed;
    private final Timer visibility;
    /** The current run's commits of what the views applied. */
    private OffsetCommits commits;
    /** Set when partitions were revoked or lost (in a poll of this thread's). */
    private boolean rebalanced;
    /** When the last batch with results was applied. */
    private long lastResults = System.nanoTime() - RESULTS_FLOW_NANOS;
    private final FanOuts fanOuts = new FanOuts(System.nanoTime());
    private volatile boolean caughtUp;
    /** The current run's clients and supervisor (the consumer read by the lag gauge at each scrape). */
    private volatile KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> dlq;
    private SupervisedLoop loop;

    /** Told of every batch the views committed (the live stream reads the touched rows back). */
    private volatile java.util.function.Consumer<List<?>> onCommitted = events -> { };

    void onCommitted(java.util.function.Consumer<List<?>> listener) {
        this.onCommitted = listener;
    }

    ResultsConsumer(KafkaSettings kafka, ServiceStore db, MeterRegistry meters) {
        this.kafka = kafka;
        this.applier = new BatchApplier(db);
        this.maintenance = new ViewMaintenance(db);
        this.results = Counter.builder("flotilla_aggregator_results_total").register(meters);
        this.failed = Counter.builder("flotilla_aggregator_failed_targets_total")
                .description("results with status FAILED").register(meters);
        this.visibility = Timer.builder("flotilla_result_visibility")
                .description("from a result event's time to its row being committed in the views")
                .publishPercentileHistogram().register(meters);
        ConsumerLag.bind(meters, "aggregator", () -> consumer, Topics.DIRECTORIES, Topics.DEPLOYMENTS, Topics.COMMANDS,
                Topics.RESULTS);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        // Per batch the views pay a transaction and a round trip per statement kind, so fuller batches
        // cost the store less per result. (bench/README.md has what it bought.)
        return new KafkaConsumer<>(KafkaClients.batchingConsumer(kafka, "aggregator", "aggregator", BATCH_WAIT_MS));
    }

    @Override
    public void run(SupervisedLoop supervisor) {
        loop = supervisor;
        consumer = newConsumer();
        dlq = new KafkaProducer<>(KafkaClients.producer(kafka, "aggregator-dlq"));
        loop.onStop(consumer::wakeup);
        commits = new OffsetCommits(consumer, COMMIT_INTERVAL);
        try {
            consumer.subscribe(List.of(Topics.DIRECTORIES, Topics.DEPLOYMENTS, Topics.COMMANDS, Topics.RESULTS),
                    new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                            rebalanced = true;
                            commits.onPartitionsRevoked(partitions);
                        }

                        @Override
                        public void onPartitionsLost(Collection<TopicPartition> partitions) {
                            rebalanced = true;
                            commits.onPartitionsLost(partitions);
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        }
                    });
            while (loop.running()) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
                loop.up();
                if (batch.isEmpty()) {
                    caughtUp = true;
                    commits.idle();
                    maintenance.idle();
                    continue;
                }
                long now = System.nanoTime();
                boolean resultsFlow = now - lastResults < RESULTS_FLOW_NANOS;
                // Told of every batch, results flowing or not, so a fan-out begins only after a second without commands.
                boolean fanOutBegun = fanOuts.begun(
                        batch.partitions().stream().anyMatch(p -> Topics.COMMANDS.equals(p.topic())), now);
                List<ConsumerRecords<String, byte[]>> parts = chunks(batch, resultsFlow || fanOutBegun);
                for (int i = 0; i < parts.size(); i++) {
                    if (!applyAndCommit(parts.get(i))) {
                        break;
                    }
                    rebalanced = false;
                    resultsFirst(parts.get(i), resultsFlow ? RESULTS_WAIT : Duration.ZERO);
                    if (rebalanced && i + 1 < parts.size()) {
                        // resultsFirst's poll rebalanced: the partitions still (or again) ours are
                        // read again from their first record not applied, the others by their new owner.
                        rewind(parts.subList(i + 1, parts.size()));
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            if (loop.running()) {
                throw e;
            }
        } finally {
            commits.close();
            consumer.close();
            dlq.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The batch, cut into parts when it holds other events than results and {@code cut} (results
     * flow, or a fan-out has just begun): its
     * results first, then the rest in parts of at most {@link #CHUNK_WHILE_RESULTS_FLOW} events,
     * each partition's in order. A fan-out's commands then take the views a part at a time, and
     * the results that came meanwhile go in between (see resultsFirst). Whole
     * batches of 500 commands took 100–480 ms each on a busy 2-core machine, and the results of a
     * 5,000-tenant rollout waited behind ten of them (p99 840 ms from result to view).
     */
    static <V> List<ConsumerRecords<String, V>> chunks(ConsumerRecords<String, V> batch, boolean cut) {
        if (batch.count() <= CHUNK_WHILE_RESULTS_FLOW || !cut
                || batch.partitions().stream().allMatch(p -> Topics.RESULTS.equals(p.topic()))) {
            return List.of(batch);
        }
        List<ConsumerRecords<String, V>> parts = new ArrayList<>();
        // The batch's results go first and whole: resultsFirst reads on from their partitions
        // (never paused), so none of their records may wait in a later part.
        Map<TopicPartition, List<ConsumerRecord<String, V>>> results = new HashMap<>();
        for (TopicPartition p : batch.partitions()) {
            if (Topics.RESULTS.equals(p.topic())) {
                results.put(p, batch.records(p));
            }
        }
        if (!results.isEmpty()) {
            parts.add(new ConsumerRecords<>(results, Map.of()));
        }
        Map<TopicPartition, List<ConsumerRecord<String, V>>> part = new HashMap<>();
        int n = 0;
        for (TopicPartition p : batch.partitions()) {
            if (Topics.RESULTS.equals(p.topic())) {
                continue;
            }
            for (ConsumerRecord<String, V> r : batch.records(p)) {
                part.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
                if (++n == CHUNK_WHILE_RESULTS_FLOW) {
                    parts.add(new ConsumerRecords<>(part, Map.of()));
                    part = new HashMap<>();
                    n = 0;
                }
            }
        }
        if (n > 0) {
            parts.add(new ConsumerRecords<>(part, Map.of()));
        }
        return parts;
    }

    /**
     * Tells a batch with commands of a fan-out that began less than {@link #RESULTS_FLOW_NANOS}
     * ago: its first results come a few hundred milliseconds after its first commands, before they
     * could be said to flow, and they waited behind the fan-out's first whole batches (the slowest
     * 1% of a 5,000-tenant rollout's results, 239–327 ms to show, were all produced in its first
     * 320 ms). Commands that keep coming for longer with no results (a million targets and no
     * worker) go in whole batches again. A fan-out begins when commands come after none came for
     * that long. Confined to the loop's thread.
     */
    static final class FanOuts {
        private long lastCommands;
        private long since;

        FanOuts(long now) {
            lastCommands = now - RESULTS_FLOW_NANOS;
            since = lastCommands;
        }

        /** Whether a batch polled at {@code now} (nanoTime) with or without commands is one of a fan-out's first. */
        boolean begun(boolean commands, long now) {
            if (!commands) {
                return false;
            }
            if (now - lastCommands >= RESULTS_FLOW_NANOS) {
                since = now;
            }
            lastCommands = now;
            return now - since < RESULTS_FLOW_NANOS;
        }
    }

    /** Parts not applied after a rebalance: the partitions still ours are read again from their first record. */
    private void rewind(List<ConsumerRecords<String, byte[]>> parts) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecords<String, byte[]> part : parts) {
            for (TopicPartition p : part.partitions()) {
                first.merge(p, part.records(p).get(0).offset(), Math::min);
            }
        }
        first.keySet().retainAll(consumer.assignment());
        first.forEach(consumer::seek);
    }

    private boolean applyAndCommit(ConsumerRecords<String, byte[]> batch) {
        if (!apply(batch)) {
            return false;
        }
        if (batch.partitions().stream().anyMatch(p -> Topics.RESULTS.equals(p.topic()))) {
            lastResults = System.nanoTime();
        }
        // Asynchronously, at most once per interval: a lost or late commit only replays events the
        // views already have. Revocation and shutdown commit synchronously.
        commits.applied(batch);
        return true;
    }

    /**
     * After a batch with commands (a fan-out floods the commands topic), takes the results that
     * came meanwhile before the next commands: they are what users wait to see, and the views
     * take a result before its command (the command's older time loses). Kafka keeps the paused
     * partitions' fetched records for later. Waits up to {@code wait} for them (zero: only those
     * fetched already, when none flowed yet).
     */
    private void resultsFirst(ConsumerRecords<String, byte[]> batch, Duration wait) {
        Set<TopicPartition> others = new HashSet<>();
        boolean results = false;
        for (TopicPartition p : consumer.assignment()) {
            if (Topics.RESULTS.equals(p.topic())) {
                results = true;
            } else {
                others.add(p);
            }
        }
        if (!results || batch.partitions().stream().allMatch(p -> Topics.RESULTS.equals(p.topic()))) {
            return;
        }
        consumer.pause(others);
        try {
            ConsumerRecords<String, byte[]> waiting = consumer.poll(wait);
            if (!waiting.isEmpty()) {
                applyAndCommit(waiting);
            }
        } finally {
            others.retainAll(consumer.assignment()); // the poll may have rebalanced
            consumer.resume(others);
        }
    }


    /** False when stopped before the batch was applied. */
    private boolean apply(ConsumerRecords<String, byte[]> batch) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(batch.count());
        batch.forEach(records::add);
        List<SpecificRecord> events = decode(records);
        while (loop.running()) {
            try {
                long t0 = System.nanoTime();
                JdbcViewWriter.Applied applied = applier.apply(events, (i, reason) -> park(records.get(i), reason));
                if (LOG.isDebugEnabled()) {
                    LOG.debug("applied {} events in {} us; {} results changed the views", events.size(),
                            (System.nanoTime() - t0) / 1000, applied.changed().size());
                }
                counted(records, events, applied.changed());
                maintenance.inserted(applied.newDeployments());
                onCommitted.accept(events);
                return true;
            } catch (SQLException e) {
                LOG.warn("writing a batch of {} events to the views failed, retrying: {}", records.size(),
                        e.getMessage());
                loop.down("writing to the views failed: " + e.getMessage());
                pause();
            }
        }
        return false;
    }

    /** The events, with null in place of a record that does not decode, which is parked once here. */
    private List<SpecificRecord> decode(List<ConsumerRecord<String, byte[]>> records) {
        List<SpecificRecord> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                events.add(EventSerde.decode(r.value()));
            } catch (RuntimeException ex) {
                park(r, "undecodable event: " + ex.getMessage());
                events.add(null);
            }
        }
        return events;
    }

    /** Metrics for the results of a committed batch only, so a retried batch is not counted twice. */
    private void counted(List<ConsumerRecord<String, byte[]>> records, List<SpecificRecord> events,
            List<Integer> changed) {
        long now = Instant.now().toEpochMilli();
        for (int i : changed) {
            visibility.record(Duration.ofMillis(Math.max(0, now - records.get(i).timestamp())));
            results.increment();
            if ("FAILED".equals(((MigrationResult) events.get(i)).getStatus())) {
                failed.increment();
            }
        }
    }

    private void park(ConsumerRecord<String, byte[]> r, String reason) {
        try {
            DeadLetters.park(dlq, r.topic(), r.partition(), r.offset(), r.value(), reason).get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parking a dead letter", ie);
        } catch (java.util.concurrent.ExecutionException ee) {
            throw new IllegalStateException("cannot park a dead letter: " + ee.getCause(), ee);
        }
    }

    private void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a batch", ie);
        }
    }

    /** Ready: read up to the end once, and consuming now. */
    boolean caughtUp() {
        return caughtUp && loop != null && loop.isUp();
    }

    /** Releases what outlives the runs. */
    void close() {
        maintenance.close();
    }
}
