package dev.flotilla.fabric;

import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates Flotilla's topics if they are missing; every service calls it at start-up. */
public final class TopicSetup {
    /** Partitions of the keyed work topics: the most worker processes that can share a rollout. */
    public static final int PARTITIONS = 12;

    private TopicSetup() {
    }

    public static void ensure(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new java.util.ArrayList<>();
            for (NewTopic t : all()) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create Flotilla's topics on " + bootstrap + ": "
                        + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within 30s; is it running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    static List<NewTopic> all() {
        return List.of(
                new NewTopic(Topics.DIRECTORIES, 1, (short) 1).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024))),
                new NewTopic(Topics.DEPLOYMENTS, PARTITIONS, (short) 1),
                new NewTopic(Topics.COMMANDS, PARTITIONS, (short) 1),
                new NewTopic(Topics.RESULTS, PARTITIONS, (short) 1),
                new NewTopic(Topics.DEAD_LETTERS, 1, (short) 1));
    }
}
