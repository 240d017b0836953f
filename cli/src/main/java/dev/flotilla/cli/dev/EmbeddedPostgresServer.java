package dev.flotilla.cli.dev;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL from Maven Central binaries (zonky), kept under the dev data directory across restarts.
 * It holds the registry's only copy of every pushed version, so it runs durably ({@code fsync},
 * full page writes and synchronous commits on, unlike zonky's test defaults). It is a process of
 * its own: when {@code flotilla dev} was killed, the server it left holding the data directory is
 * found through {@code postmaster.pid} and stopped before a new one starts.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private final EmbeddedPostgres pg;

    private EmbeddedPostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    static EmbeddedPostgresServer start(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            stopOrphan(dataDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false) // closed after the services, by DevServer.close
                    .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on").start();
            return new EmbeddedPostgresServer(pg);
        } catch (IOException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "cannot start the embedded PostgreSQL in " + dataDir
                    + ": " + e.getMessage() + "; if another 'flotilla dev' uses this --data-dir, stop it or pick"
                    + " another", e);
        }
    }

    /**
     * Stops the server a killed {@code flotilla dev} left running on {@code dataDir}: the process
     * {@code postmaster.pid} names, if it is alive and is a PostgreSQL server. A fast shutdown first,
     * then a kill; PostgreSQL recovers from its write-ahead log either way.
     */
    static void stopOrphan(Path dataDir) throws IOException {
        Optional<ProcessHandle> orphan = orphan(dataDir);
        if (orphan.isEmpty()) {
            return;
        }
        ProcessHandle p = orphan.get();
        LOG.warn("the embedded PostgreSQL of an earlier 'flotilla dev' (pid {}) still holds {}; stopping it", p.pid(),
                dataDir);
        p.destroy(); // SIGTERM: PostgreSQL's smart shutdown; it has no client left
        try {
            p.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            p.onExit().join();
        }
    }

    private static Optional<ProcessHandle> orphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || !lines.get(0).trim().matches("[0-9]+")) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
    }

    @Override
    public String toString() {
        return "embedded PostgreSQL on port " + pg.getPort();
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            // stopping; nothing to do
        }
    }
}
