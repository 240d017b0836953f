package dev.flotilla.fabric;

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
 * inspection; it never holds a secret, because no topic does.
 */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /** Sends the dead letter; the returned future completes when Kafka has it. */
    public static Future<?> park(Producer<String, byte[]> producer, String topic, int partition, long offset,
            byte[] payload, String reason) {
        LOG.warn("parking record {}-{}@{} on {}: {}", topic, partition, offset, Topics.DEAD_LETTERS, reason);
        DeadLetter d = DeadLetter.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setTopic(topic).setPartition(partition).setOffset(offset).setReason(reason)
                .setPayload(ByteBuffer.wrap(payload == null ? new byte[0] : payload)).build();
        return producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS, topic + "-" + partition + "@" + offset,
                EventSerde.encode(d)));
    }
}
