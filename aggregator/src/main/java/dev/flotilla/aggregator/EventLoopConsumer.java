package dev.flotilla.aggregator;

import dev.flotilla.fabric.Database;
import dev.flotilla.fabric.DeadLetters;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeploymentSetCreated;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationProgress;
import dev.flotilla.protocol.avro.MigrationResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The aggregator's consume loop, on its own named thread (JDBC never runs on the event loop):
 * poll a batch, apply it to the views in one transaction, then commit the offsets. A crash
 * between the two replays the batch, which the idempotent upserts absorb.
 */
final class EventLoopConsumer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopConsumer.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> dlq;
    private final Database db;
    private final Counter results;
    private final Counter failed;
    private final Timer visibility;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile boolean stopped;

    EventLoopConsumer(String bootstrap, Database db, MeterRegistry meters) {
        Map<String, Object> props = new HashMap<>(KafkaClients.consumer(bootstrap, "aggregator", "aggregator"));
        this.consumer = new KafkaConsumer<>(props);
        this.dlq = new KafkaProducer<>(new HashMap<>(KafkaClients.producer(bootstrap, "aggregator-dlq")));
        this.db = db;
        this.results = Counter.builder("flotilla_aggregator_results_total").register(meters);
        this.failed = Counter.builder("flotilla_aggregator_failed_targets_total")
                .description("results with status FAILED").register(meters);
        this.visibility = Timer.builder("flotilla_result_visibility")
                .description("from a result event's time to its row being committed in the views")
                .publishPercentileHistogram().register(meters);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.DIRECTORIES, Topics.DEPLOYMENTS, Topics.COMMANDS, Topics.RESULTS));
            while (running) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
                if (batch.isEmpty()) {
                    caughtUp = true;
                    continue;
                }
                apply(batch);
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("aggregator consume loop stopped; /health/ready now reports it DOWN", e);
        } finally {
            stopped = true;
            consumer.close();
            dlq.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecords<String, byte[]> batch) {
        while (true) {
            try (Connection c = db.connection()) {
                c.setAutoCommit(false);
                JdbcViewWriter w = new JdbcViewWriter(c);
                List<ConsumerRecord<String, byte[]>> applied = new java.util.ArrayList<>();
                List<MigrationResult> results = new java.util.ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : batch) {
                    MigrationResult m = one(w, r);
                    if (m != null) {
                        applied.add(r);
                        results.add(m);
                    }
                }
                c.commit();
                counted(applied, results);
                return;
            } catch (SQLException e) {
                LOG.warn("writing a batch of {} events to the views failed, retrying: {}", batch.count(),
                        e.getMessage());
                pause();
            }
        }
    }

    /** Metrics for the results of a committed batch only, so a retried batch is not counted twice. */
    private void counted(List<ConsumerRecord<String, byte[]>> records, List<MigrationResult> applied) {
        Instant now = Instant.now();
        for (int i = 0; i < records.size(); i++) {
            visibility.record(Duration.ofMillis(Math.max(0, now.toEpochMilli() - records.get(i).timestamp())));
            results.increment();
            if ("FAILED".equals(applied.get(i).getStatus())) {
                failed.increment();
            }
        }
    }

    /** Applies one event; returns it when it is a result that changed the views, else null. */
    private MigrationResult one(JdbcViewWriter w, ConsumerRecord<String, byte[]> r) throws SQLException {
        SpecificRecord e;
        try {
            e = EventSerde.decode(r.value());
        } catch (RuntimeException ex) {
            try {
                DeadLetters.park(dlq, r.topic(), r.partition(), r.offset(), r.value(), "undecodable event: "
                        + ex.getMessage()).get();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while parking a dead letter", ie);
            } catch (java.util.concurrent.ExecutionException ee) {
                throw new IllegalStateException("cannot park a dead letter: " + ee.getCause(), ee);
            }
            return null;
        }
        if (e instanceof MigrationResult) {
            MigrationResult m = (MigrationResult) e;
            return w.result(m) ? m : null;
        } else if (e instanceof MigrationProgress) {
            w.progress((MigrationProgress) e);
        } else if (e instanceof MigrationCommand) {
            w.command((MigrationCommand) e);
        } else if (e instanceof DeploymentSetCreated) {
            w.set((DeploymentSetCreated) e);
        } else if (e instanceof DirectoryPushed) {
            w.directory((DirectoryPushed) e);
        }
        return null;
    }

    private void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Ready: read up to the end once, and still consuming. */
    boolean caughtUp() {
        return caughtUp && !stopped;
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }
}
