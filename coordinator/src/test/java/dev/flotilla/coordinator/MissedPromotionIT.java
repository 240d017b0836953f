package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator that stopped after staging reached a version but before it deployed that
 * version to prod (promote_from = "staging") deploys it when it starts again, once.
 */
class MissedPromotionIT {
    private static final String VERSION_ID = "a".repeat(64);

    @Test
    void aPromotionMissedWhileStoppedIsDeployedAtStartOnce() throws Exception {
        KafkaSettings kafka = KafkaSettings.plain(KafkaFixture.shared().bootstrapServers());
        TopicSetup.ensure(kafka);
        ProjectConfig config = ProjectConfig.parse("""
                env "staging" {
                  for_each = toset(["s1"])
                  url      = "sqlite://${each.value}.db"
                  migration {
                    dir = "atlas://app"
                  }
                }
                env "prod" {
                  for_each = toset(["p1", "p2"])
                  url      = "sqlite://${each.value}.db"
                  migration {
                    dir = "atlas://app"
                  }
                }
                """, Path.of("."), Map.of());
        PolicyConfig policy = PolicyConfig.parse("env \"prod\" {\n  promote_from = \"staging\"\n}\n", "flotilla.hcl");
        try (ScratchDatabase storeDb = TestDatabases.postgresDatabase("promotion");
             ServiceStore store = ServiceStore.connect(storeDb.jdbcUrl(), null, null, 4, "test")) {
            new RolloutStore(store); // its tables, as the coordinator that stopped left them
            storeDb.exec("INSERT INTO coordinator_env_versions (env, directory, version_id, version, set_id, reached_at)"
                    + " VALUES ('staging', 'app', '" + VERSION_ID + "', '20250102000000', 'staging-set', now())");

            start(kafka, store, config, policy);
            await().atMost(Duration.ofSeconds(60)).until(() -> !prodSets(storeDb).isEmpty());
            start(kafka, store, config, policy);

            assertThat(prodSets(storeDb)).as("promoted once, whatever the number of starts")
                    .containsExactly("PROMOTION " + VERSION_ID + " 20250102000000 2");
        }
    }

    private static void start(KafkaSettings kafka, ServiceStore store, ProjectConfig config, PolicyConfig policy)
            throws Exception {
        try (ServiceHost host = new ServiceHost(kafka, store, HttpSettings.loopback())) {
            CoordinatorService coordinator = new CoordinatorService(config, policy);
            host.deploy(coordinator).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static List<String> prodSets(ScratchDatabase db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT trigger, version_id,"
                + " target_version, planned FROM coordinator_rollouts WHERE env = 'prod'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getInt(4));
            }
        }
        return out;
    }
}
