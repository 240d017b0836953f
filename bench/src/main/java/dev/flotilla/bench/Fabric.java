package dev.flotilla.bench;

import dev.flotilla.cli.dev.DevServer;
import dev.flotilla.cli.dev.EmbeddedKafkaBroker;
import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.TopicSetup;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Flotilla in this JVM, as {@code flotilla dev} runs it: an embedded Kafka broker, the services
 * of {@code roles} on one HTTP port, and a scratch store database on the benchmark's PostgreSQL.
 * Started before the clock does; every run gets a fresh one.
 */
final class Fabric implements AutoCloseable {
    private final Session session;
    private final Path work;
    private final String storeDb;
    private EmbeddedKafkaBroker broker;
    private DevServer server;
    private Api api;

    private Fabric(Session session, Path work, String storeDb) {
        this.session = session;
        this.work = work;
        this.storeDb = storeDb;
    }

    /**
     * Starts everything and waits until every service is ready.
     *
     * @param concurrency worker: targets in flight
     * @param maxPerServer worker: applies per database server
     */
    static Fabric start(Session session, String label, Path projectFile, List<DevServer.Role> roles,
            int concurrency, int maxPerServer) throws Exception {
        Path work = session.dir(label);
        PgServer pg = session.pg();
        String storeDb = session.database("store_" + label.replace('-', '_'));
        Fabric f = new Fabric(session, work, storeDb);
        try {
            f.broker = EmbeddedKafkaBroker.start(work.resolve("kafka"));
            TopicSetup.ensure(KafkaSettings.plain(f.broker.bootstrapServers()));
            pg.drop(storeDb);
            pg.create(storeDb);
            f.server = DevServer.start(new DevServer.Options(roles, KafkaSettings.plain(f.broker.bootstrapServers()), pg.jdbc(storeDb),
                    projectFile, Map.of(), "127.0.0.1", 0, work.resolve("data"), concurrency, maxPerServer,
                    DevServer.DEFAULT_MAX_ARCHIVE_BYTES, HttpSettings.loopback(), true));
            Probe.until(() -> f.server.ready() ? 1 : 0, 1, 50, 120_000);
            f.api = Api.withDevToken(f.server.port(), work.resolve("data"));
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    Api api() {
        return api;
    }

    int port() {
        return server.port();
    }

    /** The dev admin token of the fabric's process, which its workers in other processes fetch with. */
    Path adminTokenFile() {
        return work.resolve("data").resolve("admin.token");
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    String storeJdbc() {
        return session.pg().jdbc(storeDb);
    }

    /** The id of the newest deployment set of {@code env}. */
    String lastSet(String env) {
        return api.get("/api/v1/deployment-sets?env=" + env + "&pageSize=1").path("items").path(0).path("id").asText();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
        session.later(() -> session.pg().drop(storeDb));
        session.discard(work.resolve("kafka"));
        session.discard(work.resolve("data"));
    }
}
