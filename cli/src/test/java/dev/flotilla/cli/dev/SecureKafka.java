package dev.flotilla.cli.dev;

import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.testkit.TestPorts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A single-node broker that speaks only SASL_SSL (PLAIN over TLS) on loopback, with a certificate
 * made for the test by the JDK's keytool, and the client properties a Flotilla service needs to
 * reach it, as an operator would write them in {@code --kafka-config}.
 */
final class SecureKafka implements AutoCloseable {
    static final String USER = "flotilla";
    static final String PASSWORD = "flotilla-secret";
    private static final String STORE_PASSWORD = "store-secret";

    private final EmbeddedKafkaBroker broker;
    private final Path trustStore;

    private SecureKafka(EmbeddedKafkaBroker broker, Path trustStore) {
        this.broker = broker;
        this.trustStore = trustStore;
    }

    static SecureKafka start(Path dir) throws Exception {
        Path keyStore = dir.resolve("broker.p12");
        Path cert = dir.resolve("broker.pem");
        Path trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1", "-storetype", "PKCS12", "-keystore",
                keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
                "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required";
        Map<String, String> listener = Map.ofEntries(
                Map.entry("listeners", "SASL_SSL://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}"),
                Map.entry("advertised.listeners", "SASL_SSL://127.0.0.1:{broker}"),
                Map.entry("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "SASL_SSL"),
                Map.entry("sasl.enabled.mechanisms", "PLAIN"),
                Map.entry("sasl.mechanism.inter.broker.protocol", "PLAIN"),
                Map.entry("listener.name.sasl_ssl.plain.sasl.jaas.config", plain + " username=\"broker\""
                        + " password=\"broker-secret\" user_broker=\"broker-secret\" user_" + USER + "=\"" + PASSWORD
                        + "\";"),
                Map.entry("ssl.keystore.type", "PKCS12"),
                Map.entry("ssl.keystore.location", keyStore.toString()),
                Map.entry("ssl.keystore.password", STORE_PASSWORD),
                Map.entry("ssl.key.password", STORE_PASSWORD),
                Map.entry("ssl.truststore.type", "PKCS12"),
                Map.entry("ssl.truststore.location", trustStore.toString()),
                Map.entry("ssl.truststore.password", STORE_PASSWORD));
        return new SecureKafka(EmbeddedKafkaBroker.start(dir.resolve("kafka"), TestPorts.free(), TestPorts.free(),
                listener), trustStore);
    }

    /** What an operator puts in --kafka-config for this broker, as a file. */
    Path clientProperties(Path file, String user, String password) throws IOException {
        Files.writeString(file, String.join("\n", List.of(
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + trustStore,
                "ssl.truststore.password=" + STORE_PASSWORD)) + "\n");
        return file;
    }

    /** The settings a service loads from such a file. */
    KafkaSettings settings(Path dir, String user, String password) throws IOException {
        return KafkaSettings.load(broker.bootstrapServers(), clientProperties(dir.resolve("kafka-" + user + ".properties"),
                user, password), Map.of(), 0, 0);
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
