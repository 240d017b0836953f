package dev.flotilla.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka cluster for integration tests: an in-process one (KRaft, one combined broker+controller)
 * on a random loopback port, or, when the system property {@value #PROPERTY} is {@code
 * testcontainers} and a Docker engine answers, Testcontainers' {@code apache/kafka} image of the
 * version of the Kafka clients on the classpath. Started once per JVM by {@link #shared()}; tests
 * isolate themselves by topic prefix or consumer group rather than by cluster.
 */
public final class KafkaFixture implements AutoCloseable {
    /** {@code -Dflotilla.kafka=testcontainers} asks for the container. */
    public static final String PROPERTY = "flotilla.kafka";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaFixture.class);
    private static volatile KafkaFixture shared;

    private final String bootstrap;
    private final AutoCloseable cluster;
    private boolean closed;

    private KafkaFixture(String bootstrap, AutoCloseable cluster) {
        this.bootstrap = bootstrap;
        this.cluster = cluster;
    }

    /** The JVM's cluster, started on first use and stopped at exit. */
    public static KafkaFixture shared() {
        if (shared == null) {
            synchronized (KafkaFixture.class) {
                if (shared == null) {
                    shared = start();
                    Runtime.getRuntime().addShutdownHook(new Thread(KafkaFixture::stopShared, "kafka-fixture-stop"));
                }
            }
        }
        return shared;
    }

    /** Starts a new cluster the caller owns: in a container when asked for and Docker answers, else in process. */
    public static KafkaFixture start() {
        if ("testcontainers".equals(System.getProperty(PROPERTY))) {
            if (dockerAnswers()) {
                return container();
            }
            LOG.warn("-D{}=testcontainers, but no Docker engine answers: the in-process Kafka it is", PROPERTY);
        }
        return inProcess();
    }

    /** The image a container would run: {@code apache/kafka} at the clients' own version. */
    public static DockerImageName image() {
        return DockerImageName.parse("apache/kafka:" + AppInfoParser.getVersion());
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static KafkaFixture container() {
        KafkaContainer c = new KafkaContainer(image()).withEnv("KAFKA_NUM_PARTITIONS", "6");
        c.start();
        return new KafkaFixture(c.getBootstrapServers(), c::stop);
    }

    private static KafkaFixture inProcess() {
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
            return new KafkaFixture(c.bootstrapServers(), c);
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
        return bootstrap;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** Creates topics (ignoring ones that exist) with the given partition count. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = admin()) {
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
        try (Admin admin = admin()) {
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
