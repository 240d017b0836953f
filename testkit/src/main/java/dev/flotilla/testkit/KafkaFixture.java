package dev.flotilla.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An in-process Kafka cluster (KRaft, one combined broker+controller) on a random loopback
 * port, for integration tests. Started once per JVM by {@link #shared()}; tests isolate
 * themselves by topic prefix or consumer group rather than by cluster.
 */
public final class KafkaFixture implements AutoCloseable {
    private static volatile KafkaFixture shared;

    private final KafkaClusterTestKit cluster;
    private boolean closed;

    private KafkaFixture(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** The JVM's cluster, started on first use and stopped at exit. */
    public static KafkaFixture shared() {
        if (shared == null) {
            synchronized (KafkaFixture.class) {
                if (shared == null) {
                    shared = start();
                    KafkaFixture k = shared;
                    Runtime.getRuntime().addShutdownHook(new Thread(KafkaFixture::stopShared, "kafka-fixture-stop"));
                }
            }
        }
        return shared;
    }

    /** Starts a new cluster the caller owns. */
    public static KafkaFixture start() {
        try {
            KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("num.partitions", "6")
                    .build();
            c.format();
            c.startup();
            c.waitForReadyBrokers();
            return new KafkaFixture(c);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka cluster", e);
        }
    }

    /** Stops the JVM's cluster if one was started; a later {@link #shared()} starts a new one. */
    public static void stopShared() {
        KafkaFixture k;
        synchronized (KafkaFixture.class) {
            k = shared;
            shared = null;
        }
        if (k != null) {
            k.close();
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics (ignoring ones that exist) with the given partition count. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = cluster.admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("could not create topics", e);
            }
        }
    }

    /** How many members of a consumer group currently have at least one partition assigned. */
    public int membersWithPartitions(String group) {
        try (Admin admin = cluster.admin()) {
            var d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            return (int) d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
        } catch (Exception e) {
            // Shutting down; nothing to recover.
        }
    }
}
