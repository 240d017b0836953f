package dev.flotilla.cli.dev;

import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.KafkaSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code flotilla kafka}: the single-node broker of dev mode as its own process, for running the
 * services as separate processes on one machine. Not for production: use a real Kafka cluster.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, hidden = true,
        description = "Run the embedded single-node Kafka broker alone (development and tests only).")
public final class KafkaCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "0", description = "Broker port on 127.0.0.1 (default: any).")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", description = "Controller port (default: any).")
    int controllerPort;

    @Option(names = "--data-dir", defaultValue = ".flotilla/kafka", description = "Log directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, port, controllerPort);
        TopicSetup.ensure(KafkaSettings.plain(broker.bootstrapServers()));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stop.countDown();
        }, "flotilla-kafka-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("kafka is ready in 0 ms at " + broker.bootstrapServers());
        out.flush();
        stop.await();
        return 0;
    }
}
