package dev.flotilla.fabric;

import dev.flotilla.migrate.Hashes;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeadLetter;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Future;

/**
 * Parks a record a consumer cannot use (it does not decode, or has an unknown schema) on
 * {@code flotilla.dlq} with the reason, so the consumer can go on. The payload is kept as is for
 * inspection, except a record of {@code flotilla.directories}: that may hold a directory's SQL, with
 * its sensitive literals, so only its size and SHA-256 are kept.
 */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /** Sends the dead letter; the returned future completes when Kafka has it. */
    public static Future<?> park(Producer<String, byte[]> producer, String topic, int partition, long offset,
            byte[] payload, String reason) {
        LOG.warn("parking record {}-{}@{} on {}: {}", topic, partition, offset, Topics.DEAD_LETTERS, reason);
        byte[] bytes = payload == null ? new byte[0] : payload;
        boolean kept = !Topics.DIRECTORIES.equals(topic);
        String why = kept ? reason : reason + " (payload of " + bytes.length + " bytes not kept, SHA-256 "
                + Hashes.sha256Hex(bytes) + ")";
        DeadLetter d = DeadLetter.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setTopic(topic).setPartition(partition).setOffset(offset).setReason(why)
                .setPayload(ByteBuffer.wrap(kept ? bytes : new byte[0])).build();
        return producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS, topic + "-" + partition + "@" + offset,
                EventSerde.encode(d)));
    }
}
