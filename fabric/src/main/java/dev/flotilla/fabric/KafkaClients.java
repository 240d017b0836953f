package dev.flotilla.fabric;

import org.apache.kafka.clients.admin.AdminClientConfig;
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
 * The operator's properties ({@link KafkaSettings#client()}: security, tuning) come on top of
 * Flotilla's defaults; what the services' correctness rests on (serializers, idempotence, commits,
 * isolation, ids) is set last and cannot be changed.
 */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** An idempotent producer that batches (linger 5 ms) and compresses. */
    public static Map<String, Object> producer(KafkaSettings k, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putAll(k.client());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }

    /**
     * A producer for a stream of small events sent one at a time (results, progress): its batches
     * hold a record or two per partition, where compression saves nothing and costs a fresh
     * compression block per batch, on the producer and again on the broker.
     */
    public static Map<String, Object> eventProducer(KafkaSettings k, String clientId) {
        Map<String, Object> p = producer(k, clientId);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, k.client().getOrDefault(ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "none"));
        return p;
    }

    /** A transactional producer: what it sends is visible to read-committed consumers all at once or not at all. */
    public static Map<String, Object> transactionalProducer(KafkaSettings k, String clientId, String txId) {
        Map<String, Object> p = producer(k, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        return p;
    }

    /** A consumer in {@code group} (null for none) that commits by hand and reads only committed transactions. */
    public static Map<String, Object> consumer(KafkaSettings k, String group, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        // A member that dies is noticed within 10 s and its partitions go to the others, whose
        // redelivered commands are harmless (the target's revisions make them NO_ACTION).
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        c.putAll(k.client());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap());
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return c;
    }

    /**
     * A {@link #consumer} whose fetches the broker holds until 64 KiB or {@code maxWaitMs} have
     * gathered, for a loop that pays per batch (a store transaction, an offset commit) rather than
     * per event: answered as soon as anything arrives, a fetch brought one or two results at a
     * time, and the loop's per-batch work and the broker's fetch handling grew with every result.
     * The wait is added to an event's latency at most once.
     */
    public static Map<String, Object> batchingConsumer(KafkaSettings k, String group, String clientId, int maxWaitMs) {
        Map<String, Object> c = consumer(k, group, clientId);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.toString(maxWaitMs));
        c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(64 * 1024));
        return c;
    }

    /** An admin client's settings. */
    public static Map<String, Object> admin(KafkaSettings k, String clientId) {
        Map<String, Object> a = new HashMap<>(k.client());
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap());
        a.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return a;
    }

    /** Vert.x' Kafka clients take string settings. */
    public static Map<String, String> strings(Map<String, Object> settings) {
        Map<String, String> out = new HashMap<>();
        settings.forEach((key, v) -> out.put(key, String.valueOf(v)));
        return out;
    }
}
