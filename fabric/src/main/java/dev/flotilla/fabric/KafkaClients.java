package dev.flotilla.fabric;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka client settings every service uses: string keys (the target or set id), Avro
 * single-object-encoded values, idempotent producers, manual offset commits after side effects.
 */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** An idempotent producer that batches (linger 5 ms) and compresses. */
    public static Map<String, String> producer(String bootstrap, String clientId) {
        Map<String, String> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    /**
     * A producer for a stream of small events sent one at a time (results, progress): its batches
     * hold a record or two per partition, where compression saves nothing and costs a fresh
     * compression block (64 KiB for LZ4) per batch, on the producer and again on the broker.
     */
    public static Map<String, String> eventProducer(String bootstrap, String clientId) {
        Map<String, String> p = producer(bootstrap, clientId);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return p;
    }

    /** A transactional producer: what it sends is visible to read-committed consumers all at once or not at all. */
    public static Map<String, String> transactionalProducer(String bootstrap, String clientId, String txId) {
        Map<String, String> p = producer(bootstrap, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        return p;
    }

    /** A consumer in {@code group} that commits by hand and reads only committed transactions. */
    public static Map<String, String> consumer(String bootstrap, String group, String clientId) {
        Map<String, String> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        // A member that dies is noticed within 10 s and its partitions go to the others, whose
        // redelivered commands are harmless (the target's revisions make them NO_ACTION).
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        return c;
    }
}
