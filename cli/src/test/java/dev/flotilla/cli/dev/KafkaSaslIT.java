package dev.flotilla.cli.dev;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole seed tutorial through a broker that speaks only SASL_SSL (PLAIN over TLS, certificate
 * checked against a trust store), every producer, consumer and admin client configured from an
 * operator's properties file; and a clear refusal when the credentials are wrong.
 */
class KafkaSaslIT extends SqliteSeedTutorialIT {
    @TempDir
    static Path brokerDir;

    private static SecureKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = SecureKafka.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Override
    FleetHarness fleet(Path hcl) throws Exception {
        return new FleetHarness(kafka.settings(brokerDir, SecureKafka.USER, SecureKafka.PASSWORD), hcl, 4);
    }

    @Override
    void afterTutorial(FleetHarness fleet, Path hcl, Path dir, String failedSetId) {
        // The tutorial's own checks are the point here; the API contract and verify's mismatch run
        // once, in SqliteSeedTutorialIT.
    }

    @Test
    void wrongCredentialsAreRefusedAtStartWithTheReasonAndWhereToFixIt() throws Exception {
        KafkaSettings wrong = kafka.settings(brokerDir, SecureKafka.USER, "not-the-password");

        assertThatThrownBy(() -> DevServer.start(new DevServer.Options(List.of(DevServer.Role.WORKER), wrong, null,
                null, Map.of(), "127.0.0.1", 0, brokerDir.resolve("w"), 1, 1, 1024, HttpSettings.loopback(), false)))
                .isInstanceOfSatisfying(FlotillaException.class, e -> org.assertj.core.api.Assertions.assertThat(
                        e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("Kafka at " + kafka.bootstrap() + " refused this service's credentials")
                .hasMessageContaining("security.protocol SASL_SSL, sasl.mechanism PLAIN")
                .hasMessageContaining("--kafka-config")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void aClientWithoutTheBrokersSecuritySettingsCannotGetIn() {
        KafkaSettings plaintext = new KafkaSettings(kafka.bootstrap(), Map.of("default.api.timeout.ms", "3000",
                "request.timeout.ms", "1000"), 0, 0);

        assertThatThrownBy(() -> dev.flotilla.fabric.TopicSetup.ensure(plaintext)).isInstanceOf(FlotillaException.class)
                .hasMessageContaining(kafka.bootstrap());
    }
}
