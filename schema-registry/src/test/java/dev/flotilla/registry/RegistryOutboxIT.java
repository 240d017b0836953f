package dev.flotilla.registry;

import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A push and its DirectoryPushed are stored in one transaction; the event stays until Kafka has it. */
class RegistryOutboxIT {
    @Test
    void aMovedTagQueuesExactlyOneEventThatStaysUntilPublished() {
        try (ScratchDatabase store = TestDatabases.postgresDatabase("outbox");
             ServiceStore db = ServiceStore.connect(store.jdbcUrl(), null, null, 2, "outbox-test")) {
            JdbcRegistryStore s = new JdbcRegistryStore(db);
            Registry registry = new Registry(s, 1 << 20);
            TreeMap<String, byte[]> files = new TreeMap<>();
            files.put("1_init.sql", "CREATE TABLE t (id int);\n".getBytes(StandardCharsets.UTF_8));
            MigrationDirectory d = MigrationDirectory.of(files, null);
            byte[] archive = MigrationDirectory.of(files, d.computeSum().toBytes()).toArchive();

            PushResult first = registry.push("app", "v1", archive);
            PushResult again = registry.push("app", "v1", archive);

            assertThat(first.moved()).isTrue();
            assertThat(again.moved()).isFalse();
            List<RegistryStore.OutboxEvent> queued = s.outbox(10);
            assertThat(queued).singleElement().satisfies(e -> {
                assertThat(e.key()).isEqualTo(first.versionId());
                DirectoryPushed p = EventSerde.decode(e.payload(), DirectoryPushed.class);
                assertThat(p.getDirectory()).isEqualTo("app");
                assertThat(p.getTag()).isEqualTo("v1");
                assertThat(p.getVersionId()).isEqualTo(first.versionId());
            });

            s.published(queued.get(0).seq());

            assertThat(s.outbox(10)).isEmpty();
            assertThat(registry.push("app", "v2", archive).moved()).as("a new tag on the same content").isTrue();
            assertThat(s.outbox(10)).hasSize(1);
        }
    }
}
