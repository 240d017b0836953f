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
 */
final class EventTx {
    private static final Logger LOG = LoggerFactory.getLogger(EventTx.class);

    /** Where a transaction's records go. */
    interface Sink {
        void send(String topic, String key, SpecificRecord event);
    }

    /** What a transaction sends. */
    interface Body {
        void send(Sink sink);
    }

    private final KafkaProducer<String, byte[]> producer;

    EventTx(KafkaProducer<String, byte[]> producer) {
        this.producer = producer;
    }

    /**
     * Publishes what {@code body} sends in one transaction.
     *
     * @param what for the message when it fails, e.g. {@code deployment set for env "prod"}
     * @throws FlotillaException CONNECTION_FAILED when Kafka does not take it; nothing was sent then
     */
    synchronized void publish(String what, Body body) {
        try {
            producer.beginTransaction();
            body.send((topic, key, event) -> producer.send(new ProducerRecord<>(topic, key, EventSerde.encode(event))));
            producer.commitTransaction();
        } catch (KafkaException e) {
            abort();
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "publishing " + what + " failed, nothing was sent: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            abort(); // whatever broke it, the transaction must not stay open for the next one
            throw e;
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.warn("aborting the Kafka transaction failed: {}", e.getMessage());
        }
    }
}
