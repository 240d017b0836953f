package dev.flotilla.aggregator;

import dev.flotilla.fabric.DeadLetters;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.RolloutChanged;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code flotilla.rollouts} (group {@code aggregator-rollouts}, on its own thread) into
 * {@code agg_rollouts}: per set, the {@link RolloutChanged} of the highest epoch, so a redelivered
 * or late record changes nothing. A state that changed also counts as an event of the set (its
 * {@code last_event_at}), so a set resumed after a long pause is not reported stalled. The
 * {@code EnvReachedVersion} records of the topic are not kept. A record that does not decode, or
 * whose values the store rejects, is parked on the dead-letter topic; offsets are committed after
 * the batch is.
 */
final class RolloutsConsumer implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutsConsumer.class);

    /** The newest epoch of a set wins; an equal or older one changes nothing (update count 0). */
    static final String ROLLOUT = "INSERT INTO agg_rollouts (set_id, epoch, state, stopped_groups, reason, actor,"
            + " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (set_id) DO UPDATE SET epoch = EXCLUDED.epoch,"
            + " state = EXCLUDED.state, stopped_groups = EXCLUDED.stopped_groups, reason = EXCLUDED.reason,"
            + " actor = EXCLUDED.actor, changed_at = EXCLUDED.changed_at WHERE agg_rollouts.epoch < EXCLUDED.epoch";
    static final String SET_EVENT = "UPDATE agg_deployment_sets SET last_event_at = greatest(last_event_at, ?)"
            + " WHERE id = ?";

    private final KafkaSettings kafka;
    private final ServiceStore db;
    private volatile boolean caughtUp;
    private volatile java.util.function.Consumer<List<?>> onCommitted = events -> { };
    private SupervisedLoop loop;

    RolloutsConsumer(KafkaSettings kafka, ServiceStore db) {
        this.kafka = kafka;
        this.db = db;
    }

    /** Called on the consumer's thread with the changes of each batch once the views have them. */
    void onCommitted(java.util.function.Consumer<List<?>> listener) {
        this.onCommitted = listener;
    }

    @Override
    public void run(SupervisedLoop supervisor) {
        loop = supervisor;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka,
                "aggregator-rollouts", "aggregator-rollouts"));
             KafkaProducer<String, byte[]> dlq = new KafkaProducer<>(KafkaClients.producer(kafka,
                     "aggregator-rollouts-dlq"))) {
            loop.onStop(consumer::wakeup);
            consumer.subscribe(List.of(Topics.ROLLOUTS));
            while (loop.running()) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
                loop.up();
                if (batch.isEmpty()) {
                    caughtUp = true;
                    continue;
                }
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(batch.count());
                batch.forEach(records::add);
                apply(records, dlq);
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (loop.running()) {
                throw e;
            }
        }
    }

    /** Applies a batch in one transaction; retried until it passes, the events at fault parked. */
    private void apply(List<ConsumerRecord<String, byte[]>> records, KafkaProducer<String, byte[]> dlq) {
        Map<Integer, RolloutChanged> changes = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            try {
                if (EventSerde.decode(records.get(i).value()) instanceof RolloutChanged r
                        && r.getDeploymentSetId() != null) {
                    changes.put(i, r);
                }
            } catch (RuntimeException ex) {
                park(dlq, records.get(i), "undecodable event: " + ex.getMessage());
            }
        }
        while (loop.running()) {
            try {
                write(changes, (i, reason) -> park(dlq, records.get(i), reason));
                onCommitted.accept(List.copyOf(changes.values()));
                return;
            } catch (SQLException e) {
                LOG.warn("writing {} rollout changes to the views failed, retrying: {}", changes.size(), e.getMessage());
                loop.down("writing rollout changes to the views failed: " + e.getMessage());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting to retry a batch", ie);
                }
            }
        }
    }

    /**
     * Writes the changes, each behind a savepoint (they are few: one per change of a set's state),
     * in set order so two writers take the sets' row locks in one order.
     */
    void write(Map<Integer, RolloutChanged> changes, BatchApplier.Rejects rejects) throws SQLException {
        List<Map.Entry<Integer, RolloutChanged>> sorted = new ArrayList<>(changes.entrySet());
        sorted.sort(Comparator.comparing((Map.Entry<Integer, RolloutChanged> e) -> e.getValue().getDeploymentSetId())
                .thenComparing(e -> e.getValue().getEpoch()));
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement rollout = c.prepareStatement(ROLLOUT);
                 PreparedStatement event = c.prepareStatement(SET_EVENT)) {
                for (Map.Entry<Integer, RolloutChanged> e : sorted) {
                    Savepoint before = c.setSavepoint();
                    try {
                        write(c, rollout, event, e.getValue());
                        c.releaseSavepoint(before);
                    } catch (SQLException ex) {
                        if (!ViewErrors.eventsFault(ex)) {
                            throw ex;
                        }
                        c.rollback(before);
                        rejects.park(e.getKey(), "the views reject it: " + ViewErrors.reason(ex));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        }
    }

    private static void write(Connection c, PreparedStatement rollout, PreparedStatement event, RolloutChanged r)
            throws SQLException {
        Timestamp at = Timestamp.from(r.getOccurredAt());
        rollout.setString(1, r.getDeploymentSetId());
        rollout.setInt(2, r.getEpoch());
        rollout.setString(3, r.getState());
        rollout.setArray(4, c.createArrayOf("text", r.getStoppedGroups().toArray()));
        rollout.setString(5, r.getReason());
        rollout.setString(6, r.getActor());
        rollout.setTimestamp(7, at);
        if (rollout.executeUpdate() > 0) {
            event.setTimestamp(1, at);
            event.setString(2, r.getDeploymentSetId());
            event.executeUpdate();
        }
    }

    private static void park(KafkaProducer<String, byte[]> dlq, ConsumerRecord<String, byte[]> r, String reason) {
        try {
            DeadLetters.park(dlq, r.topic(), r.partition(), r.offset(), r.value(), reason).get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parking a dead letter", ie);
        } catch (java.util.concurrent.ExecutionException ee) {
            throw new IllegalStateException("cannot park a dead letter: " + ee.getCause(), ee);
        }
    }

    /** Ready: read up to the end once, and consuming now. */
    boolean caughtUp() {
        return caughtUp && loop != null && loop.isUp();
    }
}
