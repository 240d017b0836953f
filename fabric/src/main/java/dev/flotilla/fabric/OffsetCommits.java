package dev.flotilla.fabric;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Offset commits for a loop whose batches are idempotent to replay: the offsets of the batches it
 * applied are committed asynchronously, at most once per interval, and synchronously when its
 * partitions are revoked or it stops. A synchronous commit after every poll cost a broker round trip
 * and the group coordinator's work per batch; a lost or late commit costs a replay of at most one
 * interval's batches, which the loop absorbs. Only what {@link #applied} was told is ever
 * committed, so a batch the loop gave up on is read again. Subscribe with it as the rebalance
 * listener. Confined to the loop's thread.
 */
public final class OffsetCommits implements ConsumerRebalanceListener {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommits.class);

    private final Consumer<?, ?> consumer;
    private final long intervalNanos;
    /** The next offset to read per partition, after the batches applied. */
    private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    private long last = System.nanoTime();
    private boolean pending;

    public OffsetCommits(Consumer<?, ?> consumer, Duration interval) {
        this.consumer = consumer;
        this.intervalNanos = interval.toNanos();
    }

    /** The batch was applied: its offsets go with the next commit, now if the interval has passed. */
    public void applied(ConsumerRecords<?, ?> batch) {
        for (TopicPartition p : batch.partitions()) {
            List<? extends ConsumerRecord<?, ?>> rs = batch.records(p);
            done.put(p, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
            pending = true;
        }
        if (System.nanoTime() - last >= intervalNanos) {
            commitAsync();
        }
    }

    /** Nothing came: what was applied and is not committed yet goes now. */
    public void idle() {
        if (pending) {
            commitAsync();
        }
    }

    private void commitAsync() {
        last = System.nanoTime();
        pending = false;
        consumer.commitAsync(new HashMap<>(done), (offsets, e) -> {
            if (e != null) {
                // Called back on the loop's thread (in a poll): the next idle(), close() or revocation tries again.
                pending = true;
                LOG.debug("committing offsets {} failed; a later commit covers them: {}", offsets, e.toString());
            }
        });
    }

    /** Before the loop stops: what was applied, synchronously (a failure means those events are read again). */
    public void close() {
        if (!pending) {
            return;
        }
        try {
            try {
                consumer.commitSync(new HashMap<>(done), Duration.ofSeconds(5));
            } catch (WakeupException e) {
                // The loop was woken to stop while it applied a batch; the wake-up is spent now.
                consumer.commitSync(new HashMap<>(done), Duration.ofSeconds(5));
            }
            pending = false;
        } catch (RuntimeException e) {
            LOG.warn("could not commit the applied offsets; those events will be read again: {}", e.toString());
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        close(); // before another member reads them
        done.keySet().removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        done.keySet().removeAll(partitions); // another member has them already: nothing of ours to commit
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    }
}
