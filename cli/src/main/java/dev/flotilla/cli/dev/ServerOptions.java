package dev.flotilla.cli.dev;

import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Options shared by {@code flotilla dev} and the standalone service commands. */
public final class ServerOptions {
    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "HTTP bind address (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--config", defaultValue = "atlas.hcl", description = "Project file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--var", description = "Project file variable, NAME=VALUE.")
    Map<String, String> vars = Map.of();

    @Option(names = "--kafka", description = "Kafka bootstrap servers (default: an embedded broker in dev, required otherwise).")
    String kafka;

    @Option(names = "--jdbc-url", description = "PostgreSQL JDBC URL of the service stores (default: an embedded PostgreSQL in dev).")
    String jdbcUrl;

    @Option(names = "--data-dir", defaultValue = ".flotilla", description = "Where embedded Kafka and PostgreSQL keep data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--concurrency", defaultValue = "16", description = "Worker: targets in flight per process (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-per-server", defaultValue = "8", description = "Worker: concurrent applies per database server (default: ${DEFAULT-VALUE}).")
    int maxPerServer;

    @Option(names = "--max-archive-bytes", defaultValue = "16777216", description = "Registry: largest push accepted (default: ${DEFAULT-VALUE}).")
    long maxArchiveBytes;

    DevServer.Options toOptions(List<DevServer.Role> roles) {
        return new DevServer.Options(roles, kafka, jdbcUrl, config, vars, bind, port, dataDir, concurrency,
                maxPerServer, maxArchiveBytes);
    }

    int run(PrintWriter out, List<DevServer.Role> roles, String what) throws Exception {
        return DevCommand.serve(out, toOptions(roles), what);
    }
}
