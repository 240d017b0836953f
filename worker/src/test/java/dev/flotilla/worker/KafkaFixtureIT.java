package dev.flotilla.worker;

import dev.flotilla.testkit.KafkaFixture;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the integration tests' Kafka comes from. (Here, beside the worker's ITs: testkit has no
 * test classpath of its own.)
 */
class KafkaFixtureIT {
    @Test
    void askedForAContainerWithoutADockerEngineTheTestsStillGetAWorkingKafka() throws Exception {
        String before = System.getProperty(KafkaFixture.PROPERTY);
        System.setProperty(KafkaFixture.PROPERTY, "testcontainers");
        try (KafkaFixture k = KafkaFixture.start()) {
            k.createTopics(2, "fixture-test");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("fixture-test");
            }
        } finally {
            if (before == null) {
                System.clearProperty(KafkaFixture.PROPERTY);
            } else {
                System.setProperty(KafkaFixture.PROPERTY, before);
            }
        }
    }

    @Test
    void theContainerRunsTheKafkaOfTheClientsInThePom() {
        assertThat(KafkaFixture.image().asCanonicalNameString()).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(AppInfoParser.getVersion()).isEqualTo(System.getProperty("kafka.version", AppInfoParser.getVersion()));
    }
}
