package dev.flotilla.coordinator;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.EventSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's Kafka transactions: everything one step of a rollout publishes (a set, its
 * commands, state changes, the results of targets it skipped) goes out in one transaction, so
 * read-committed consumers see all of it or none. One transaction at a time: callers take
 * their store locks first and never wait for a store lock while they publish.
 *
 * <p>A step of more than {@link #DEFAULT_RECORDS_PER_TRANSACTION} records (a set of a million
 * targets) goes out in several transactions of that many, so no transaction nears Kafka's limits
 * (the producer's {@code transaction.timeout.ms}, the broker's {@code transaction.max.timeout.ms},
 * memory held for an open transaction) whatever the set's size, and none of them is raised.
 * Consumers may then see a step's first part before the rest. A step that fails part-way is
 * published again whole by its caller (the store commits after the last part; a new set stays
 * unpublished until then), so some of its records arrive twice: commands and results are
 * idempotent by design (a result that changes nothing is ignored), as after any redelivery.
 */
final class EventTx {
    private static final Logger LOG = LoggerFactory.getLogger(EventTx.class);

    /** Where a transaction's records go. */
    interface Sink {
        /** {@link #send(String, String, SpecificRecord, int)}'s slot for "the partition of the key". */
        int BY_KEY = -1;

        /**
         * @param slot {@link #BY_KEY}, or the record's place in a sequence spread round-robin over
         *     the topic's partitions: partition {@code slot mod partitions} (the key still goes with it)
         */
        void send(String topic, String key, SpecificRecord event, int slot);

        /** On the partition of its key. */
        default void send(String topic, String key, SpecificRecord event) {
            send(topic, key, event, BY_KEY);
        }
    }

    /** What a transaction sends. */
    interface Body {
        void send(Sink sink);
    }

    /** Records per Kafka transaction: about 4 MB of commands, committed in milliseconds. */
    static final int DEFAULT_RECORDS_PER_TRANSACTION = 10_000;

    private final KafkaProducer<String, byte[]> producer;
    private final int recordsPerTransaction;

    EventTx(KafkaProducer<String, byte[]> producer) {
        this(producer, DEFAULT_RECORDS_PER_TRANSACTION);
    }

    EventTx(KafkaProducer<String, byte[]> producer, int recordsPerTransaction) {
        this.producer = producer;
        this.recordsPerTransaction = recordsPerTransaction;
    }

    /**
     * Publishes what {@code body} sends in one transaction.
     *
     * @param what for the message when it fails, e.g. {@code deployment set for env "prod"}
     * @throws FlotillaException CONNECTION_FAILED when Kafka does not take it; nothing was sent then
     *     but the parts of a step larger than one transaction that were committed before
     */
    synchronized void publish(String what, Body body) {
        long[] sent = {0, 0}; // records sent, of them committed
        try {
            producer.beginTransaction();
            body.send((topic, key, event, slot) -> {
                if (sent[0] > 0 && sent[0] % recordsPerTransaction == 0) {
                    producer.commitTransaction();
                    sent[1] = sent[0];
                    producer.beginTransaction();
                }
                Integer partition = slot == Sink.BY_KEY ? null : Math.floorMod(slot, partitions(topic));
                producer.send(new ProducerRecord<>(topic, partition, key, EventSerde.encode(event)));
                sent[0]++;
            });
            producer.commitTransaction();
        } catch (KafkaException e) {
            abort();
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "publishing " + what + " failed, " + (sent[1] == 0
                    ? "nothing was sent: " : "after " + sent[1] + " of its records had gone out (they are sent again"
                    + " with the rest): ") + e.getMessage(), e);
        } catch (RuntimeException e) {
            abort(); // whatever broke it, the transaction must not stay open for the next one
            throw e;
        }
    }

    /** How many partitions {@code topic} has now (the producer's cached metadata: partitions added count). */
    private int partitions(String topic) {
        return producer.partitionsFor(topic).size();
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.warn("aborting the Kafka transaction failed: {}", e.getMessage());
        }
    }
}
