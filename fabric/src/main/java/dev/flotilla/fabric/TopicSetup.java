package dev.flotilla.fabric;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates Flotilla's topics if they are missing; every service calls it at start-up, so it is also
 * where a service first meets Kafka, and says plainly when Kafka refuses its credentials.
 */
public final class TopicSetup {
    /** Partitions of the keyed work topics: the most worker processes that can share a rollout. */
    public static final int PARTITIONS = 12;
    private static final int MOST_REPLICAS = 3;

    private TopicSetup() {
    }

    public static void ensure(KafkaSettings k) {
        try (Admin admin = Admin.create(KafkaClients.admin(k, "flotilla-topic-setup"))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : all(k, brokers)) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw refused(k, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "Kafka at " + k.bootstrap() + " did not answer"
                    + " within 30 s (security.protocol " + k.protocol() + "); is it running, and does it speak "
                    + k.protocol() + " on that port?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** What Kafka's refusal means for the person starting the service. */
    static FlotillaException refused(KafkaSettings k, Throwable cause) {
        if (cause instanceof AuthenticationException) {
            return new FlotillaException(ErrorCode.CONFIG_INVALID, "Kafka at " + k.bootstrap() + " refused this"
                    + " service's credentials (security.protocol " + k.protocol() + ", sasl.mechanism "
                    + k.client().getOrDefault("sasl.mechanism", "none") + "): " + cause.getMessage() + "; check"
                    + " sasl.jaas.config / ssl.* in --kafka-config or FLOTILLA_KAFKA_*", cause);
        }
        if (cause instanceof AuthorizationException) {
            return new FlotillaException(ErrorCode.CONFIG_INVALID, "Kafka at " + k.bootstrap() + " denied this"
                    + " service: " + cause.getMessage() + "; the README's Security section lists the ACLs each"
                    + " service needs", cause);
        }
        return new FlotillaException(ErrorCode.CONNECTION_FAILED, "cannot create Flotilla's topics on "
                + k.bootstrap() + ": " + cause.getMessage(), cause);
    }

    static List<NewTopic> all(KafkaSettings k, int brokers) {
        short rf = (short) (k.replicationFactor() > 0 ? k.replicationFactor() : Math.max(1, Math.min(MOST_REPLICAS,
                brokers)));
        int isr = k.minInsyncReplicas() > 0 ? k.minInsyncReplicas() : Math.max(1, rf - 1);
        Map<String, String> durable = Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(isr));
        Map<String, String> directories = new HashMap<>(durable);
        // Compacted, and with Kafka's default record size: a DirectoryPushed refers to its archive
        // (the registry serves it by version id), so no record needs a limit raised.
        directories.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return List.of(
                new NewTopic(Topics.DIRECTORIES, 1, rf).configs(directories),
                new NewTopic(Topics.DEPLOYMENTS, PARTITIONS, rf).configs(durable),
                // Compacted: the latest state of each set, which every worker reads from the start.
                new NewTopic(Topics.ROLLOUTS, 1, rf).configs(compacted(durable)),
                new NewTopic(Topics.COMMANDS, PARTITIONS, rf).configs(durable),
                new NewTopic(Topics.RESULTS, PARTITIONS, rf).configs(durable),
                new NewTopic(Topics.DEAD_LETTERS, 1, rf).configs(durable));
    }

    private static Map<String, String> compacted(Map<String, String> configs) {
        Map<String, String> c = new HashMap<>(configs);
        c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return c;
    }
}
