package dev.flotilla.cli.dev;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A single-node KRaft Kafka (broker and controller in one) inside this JVM, for {@code flotilla dev}.
 * Listens on loopback only. Its log lives in {@code dataDir}, so a restart keeps topics and offsets.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrap;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /** Formats {@code dataDir} if needed and starts the broker on free loopback ports. */
    public static EmbeddedKafkaBroker start(Path dataDir) {
        return start(dataDir, freePort(), freePort());
    }

    /** Starts on the given loopback ports (0 picks one); a restart on the same ports and data dir resumes. */
    public static EmbeddedKafkaBroker start(Path dataDir, int brokerPort, int controllerPort) {
        return start(dataDir, brokerPort, controllerPort, Map.of());
    }

    /**
     * Starts with {@code overrides} on top of the single-node settings: e.g. a SASL_SSL listener
     * ({@code listeners}, {@code listener.security.protocol.map}, {@code sasl.*}, {@code ssl.*}) for
     * the tests that run Flotilla against a secured broker. Use {@code {broker}} and
     * {@code {controller}} in values for the ports.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int brokerPort, int controllerPort,
            Map<String, String> overrides) {
        brokerPort = brokerPort == 0 ? freePort() : brokerPort;
        controllerPort = controllerPort == 0 ? freePort() : controllerPort;
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve("kafka-logs").toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        // One node: the broker's internal topics get a few partitions, not 50 each (a hundred logs,
        // indexes and coordinator loads at start, for one group coordinator and one transaction
        // coordinator that serve a handful of groups and producers). Set when a data directory is
        // new; an older one keeps the topics it has.
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.num.partitions", "4");
        // The log cleaner's dedupe map is allocated (and zeroed) whole when the broker starts, and
        // stays for the life of the process: 128 MiB by default, sized for a production broker's
        // compacted topics. Here it compacts a few small logs (directories, rollouts, the
        // broker's offsets and transactions); 8 MiB holds ~300,000 keys a pass (24 bytes each,
        // 90% full), and the start no longer waits for a 128 MiB allocation (~0.6 s on a slow
        // machine) nor the heap keeps it.
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(8 << 20));
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.partitions", "6");
        p.setProperty("auto.create.topics.enable", "false");
        int bp = brokerPort;
        int cp = controllerPort;
        overrides.forEach((k, v) -> p.setProperty(k, v.replace("{broker}", Integer.toString(bp))
                .replace("{controller}", Integer.toString(cp))));
        format(dataDir, p);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + brokerPort;
        LOG.info("embedded Kafka broker listening on {}", bootstrap);
        return new EmbeddedKafkaBroker(server, bootstrap);
    }

    private static void format(Path dataDir, Properties p) {
        try {
            Files.createDirectories(dataDir);
            Path cfg = dataDir.resolve("server.properties");
            try (var w = Files.newBufferedWriter(cfg, StandardCharsets.UTF_8)) {
                p.store(w, "flotilla dev");
            }
            if (Files.exists(dataDir.resolve("kafka-logs").resolve("meta.properties"))) {
                return; // formatted by an earlier start: keep its cluster id, topics and offsets
            }
            int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                "-c", cfg.toString(), "--ignore-formatted"},
                new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("formatting the Kafka log directory " + dataDir + " failed (exit " + rc
                        + "); delete it and start again");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka data directory " + dataDir, e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public String toString() {
        return "embedded Kafka broker on " + bootstrap;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
