package dev.flotilla.coordinator;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.OffsetCommits;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's results loop, run by a {@link SupervisedLoop} on its own thread: reads
 * {@code flotilla.results} in the group {@code coordinator-rollouts} and hands each polled batch,
 * set by set, to {@link Rollouts#onResults}; commits the offsets after, at most once a second
 * ({@link OffsetCommits}). A crash in between replays the batches since, which the engine absorbs (a result that changes nothing is ignored). Records that do
 * not decode, and progress events, are skipped: the aggregator parks what does not decode.
 */
final class RolloutResults implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutResults.class);

    /**
     * How long the broker may hold a fetch to gather results (see {@link KafkaClients#batchingConsumer}):
     * at most this much later a wave starts or a halt stops the next commands. A fetch that expires
     * empty is a round of thread wake-ups on the broker and here, paid every wait while a rollout
     * runs slower than it fills a batch: at 25 ms this loop took 35 ms of CPU a second from an idle
     * {@code flotilla dev}.
     */
    static final int BATCH_WAIT_MS = 50;
    /** Offsets are committed this often while results flow, and whenever none came (replays are absorbed). */
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private final KafkaSettings kafka;
    private final Rollouts rollouts;
    private final Counter applied;
    private final Timer batchTime;

    RolloutResults(KafkaSettings kafka, Rollouts rollouts, MeterRegistry meters) {
        this.kafka = kafka;
        this.rollouts = rollouts;
        this.applied = Counter.builder("flotilla_coordinator_results_total")
                .description("results the rollout engine applied").register(meters);
        this.batchTime = Timer.builder("flotilla_coordinator_results_batch_duration")
                .description("time to apply one polled batch of results to the rollouts").register(meters);
    }

    @Override
    public void run(SupervisedLoop loop) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.batchingConsumer(kafka,
                "coordinator-rollouts", "coordinator-rollouts", BATCH_WAIT_MS))) {
            OffsetCommits commits = new OffsetCommits(consumer, COMMIT_INTERVAL);
            loop.onStop(consumer::wakeup);
            consumer.subscribe(List.of(Topics.RESULTS), commits);
            try {
                while (loop.running()) {
                    ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
                    if (batch.isEmpty()) {
                        commits.idle();
                    } else {
                        batchTime.record(() -> apply(batch));
                        commits.applied(batch);
                    }
                    loop.up();
                }
            } catch (WakeupException e) {
                LOG.debug("results loop stopped");
            }
            commits.close();
        }
    }

    private void apply(ConsumerRecords<String, byte[]> batch) {
        Map<String, List<MigrationResult>> bySet = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            SpecificRecord e;
            try {
                e = EventSerde.decode(r.value());
            } catch (RuntimeException ex) {
                continue;
            }
            if (e instanceof MigrationResult m && m.getDeploymentSetId() != null && m.getTargetId() != null) {
                bySet.computeIfAbsent(m.getDeploymentSetId(), k -> new ArrayList<>()).add(m);
            }
        }
        for (Map.Entry<String, List<MigrationResult>> e : bySet.entrySet()) {
            rollouts.onResults(e.getKey(), e.getValue());
            applied.increment(e.getValue().size());
        }
    }
}
