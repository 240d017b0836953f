package dev.flotilla.cli.dev;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code flotilla dev} starts Kafka and the embedded PostgreSQL side by side: when one fails, the
 * start fails with what failed, and the other, started meanwhile, does not outlive it.
 */
class DevStartFailureIT {
    @TempDir
    Path dir;

    @Test
    void aKafkaThatCannotBeReachedFailsTheStartByNameAndStopsThePostgresStartedBesideIt() {
        String nobody = "127.0.0.1:" + EmbeddedKafkaBroker.freePort();
        KafkaSettings unreachable = new KafkaSettings(nobody, Map.of("default.api.timeout.ms", "3000",
                "request.timeout.ms", "1000"), 0, 0);

        assertThatThrownBy(() -> DevServer.start(new DevServer.Options(List.of(DevServer.Role.values()), unreachable,
                null, null, Map.of(), "127.0.0.1", 0, dir, 1, 1, 1024, HttpSettings.loopback(), true)))
                .isInstanceOf(FlotillaException.class).hasMessageContaining(nobody);

        assertThat(dir.resolve("postgres/PG_VERSION")).as("the embedded PostgreSQL was started beside Kafka")
                .exists();
        assertThat(Files.exists(dir.resolve("postgres/postmaster.pid")))
                .as("the embedded PostgreSQL was stopped when Kafka failed (postmaster.pid removed)").isFalse();
    }
}
