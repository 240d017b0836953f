package dev.flotilla.fabric;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How the services reach Kafka: the bootstrap servers, the operator's client properties that every
 * producer, consumer and admin client gets (security.protocol, sasl.*, ssl.* for SASL_SSL, SCRAM or
 * mTLS), and how Flotilla's topics are replicated.
 *
 * @param bootstrap the bootstrap servers; null in dev mode until the embedded broker is up
 * @param client the operator's client properties, in Kafka's own names
 * @param replicationFactor replicas of each topic Flotilla creates; 0 for as many as the cluster
 *     has brokers, up to 3
 * @param minInsyncReplicas {@code min.insync.replicas} of those topics; 0 for one fewer than the
 *     replicas, at least 1
 */
public record KafkaSettings(String bootstrap, Map<String, String> client, int replicationFactor,
        int minInsyncReplicas) {
    /** Environment variables {@code FLOTILLA_KAFKA_SASL_MECHANISM=PLAIN} set {@code sasl.mechanism=PLAIN}. */
    public static final String ENV_PREFIX = "FLOTILLA_KAFKA_";
    /** Names of the variables that are Flotilla's own, not client properties. */
    private static final java.util.Set<String> NOT_CLIENT = java.util.Set.of("FLOTILLA_KAFKA_CONFIG");

    public KafkaSettings {
        client = Map.copyOf(client);
        if (replicationFactor < 0 || minInsyncReplicas < 0) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--topic-replication-factor (" + replicationFactor
                    + ") and --topic-min-insync-replicas (" + minInsyncReplicas + ") must be 0 (automatic) or more");
        }
    }

    /** Bootstrap servers without client properties or replication settings: tests and the embedded broker. */
    public static KafkaSettings plain(String bootstrap) {
        return new KafkaSettings(bootstrap, Map.of(), 0, 0);
    }

    /**
     * Client properties from a properties file (null for none), then from {@code FLOTILLA_KAFKA_*}
     * variables of {@code env}, which win.
     */
    public static KafkaSettings load(String bootstrap, Path propertiesFile, Map<String, String> env,
            int replicationFactor, int minInsyncReplicas) {
        Map<String, String> client = new TreeMap<>();
        if (propertiesFile != null) {
            client.putAll(read(propertiesFile));
        }
        env.forEach((k, v) -> {
            if (k.startsWith(ENV_PREFIX) && !NOT_CLIENT.contains(k)) {
                client.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        return new KafkaSettings(bootstrap, client, replicationFactor, minInsyncReplicas);
    }

    /** The same settings for a broker found later (dev mode). */
    public KafkaSettings withBootstrap(String servers) {
        return new KafkaSettings(servers, client, replicationFactor, minInsyncReplicas);
    }

    /** The security protocol the clients use: what error messages name. */
    String protocol() {
        return client.getOrDefault("security.protocol", "PLAINTEXT");
    }

    private static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot read the Kafka client properties " + file
                    + " (--kafka-config): " + e.getMessage());
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /** Never shows a value: sasl.jaas.config and ssl passwords are secrets. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrap=" + bootstrap + ", client properties=" + client.keySet()
                + ", replicationFactor=" + replicationFactor + ", minInsyncReplicas=" + minInsyncReplicas + "]";
    }
}
