package dev.flotilla.cli.dev;

import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Options shared by {@code flotilla dev} and the standalone service commands. */
public final class ServerOptions {
    @Option(names = "--port", defaultValue = "${env:FLOTILLA_PORT:-8080}", description = "HTTP port (default: ${DEFAULT-VALUE};"
            + " env FLOTILLA_PORT).")
    int port;

    @Option(names = "--bind", defaultValue = "${env:FLOTILLA_BIND:-127.0.0.1}", description = "HTTP bind address (default:"
            + " ${DEFAULT-VALUE}; env FLOTILLA_BIND).")
    String bind;

    @Option(names = "--config", defaultValue = "${env:FLOTILLA_CONFIG:-atlas.hcl}", description = "Project file (default:"
            + " ${DEFAULT-VALUE}; env FLOTILLA_CONFIG).")
    Path config;

    @Option(names = "--var", split = ",(?=[A-Za-z_][A-Za-z0-9_]*=)", splitSynopsisLabel = ",", paramLabel = "NAME=VALUE",
            defaultValue = "${env:FLOTILLA_VARS}", description = "Project file variable,"
            + " NAME=VALUE; repeat, or separate with commas (env FLOTILLA_VARS).")
    Map<String, String> vars = Map.of();

    @Option(names = "--kafka", defaultValue = "${env:FLOTILLA_KAFKA}", description = "Kafka bootstrap servers (default:"
            + " an embedded broker in dev, required otherwise; env FLOTILLA_KAFKA).")
    String kafka;

    @Option(names = "--kafka-config", paramLabel = "FILE", defaultValue = "${env:FLOTILLA_KAFKA_CONFIG}",
            description = "Kafka client properties for every producer, consumer and admin client (security.protocol,"
                    + " sasl.*, ssl.*); FLOTILLA_KAFKA_<PROPERTY> variables (dots as underscores) override it"
                    + " (env FLOTILLA_KAFKA_CONFIG).")
    Path kafkaConfig;

    @Option(names = "--topic-replication-factor", defaultValue = "${env:FLOTILLA_TOPIC_REPLICATION_FACTOR:-0}",
            description = "Replicas of the topics Flotilla creates; 0: as many brokers as there are, up to 3"
                    + " (env FLOTILLA_TOPIC_REPLICATION_FACTOR).")
    int replicationFactor;

    @Option(names = "--topic-min-insync-replicas", defaultValue = "${env:FLOTILLA_TOPIC_MIN_INSYNC_REPLICAS:-0}",
            description = "min.insync.replicas of those topics; 0: one fewer than the replicas, at least 1"
                    + " (env FLOTILLA_TOPIC_MIN_INSYNC_REPLICAS).")
    int minInsyncReplicas;

    @Option(names = "--jdbc-url", defaultValue = "${env:FLOTILLA_JDBC_URL}", description = "PostgreSQL JDBC URL of the"
            + " service stores, its password in FLOTILLA_JDBC_PASSWORD (default: an embedded PostgreSQL in dev; env"
            + " FLOTILLA_JDBC_URL).")
    String jdbcUrl;

    @Option(names = "--data-dir", defaultValue = "${env:FLOTILLA_DATA_DIR:-.flotilla}", description = "Where embedded Kafka"
            + " and PostgreSQL keep data (default: ${DEFAULT-VALUE}; env FLOTILLA_DATA_DIR).")
    Path dataDir;

    @Option(names = "--concurrency", defaultValue = "${env:FLOTILLA_CONCURRENCY:-16}", description = "Worker: targets in"
            + " flight per process (default: ${DEFAULT-VALUE}; env FLOTILLA_CONCURRENCY).")
    int concurrency;

    @Option(names = "--max-per-server", defaultValue = "${env:FLOTILLA_MAX_PER_SERVER:-8}", description = "Worker:"
            + " concurrent applies per database server (default: ${DEFAULT-VALUE}; env FLOTILLA_MAX_PER_SERVER).")
    int maxPerServer;

    @Option(names = "--max-archive-bytes", defaultValue = "${env:FLOTILLA_MAX_ARCHIVE_BYTES:-67108864}",
            description = "Registry: largest push accepted, in bytes (default: ${DEFAULT-VALUE}, 64 MiB; env"
            + " FLOTILLA_MAX_ARCHIVE_BYTES).")
    long maxArchiveBytes;

    @Option(names = "--registry-url", paramLabel = "URL", defaultValue = "${env:FLOTILLA_REGISTRY_URL}",
            description = "Worker: the registry's address (http://registry:8080), from which it fetches the directory"
                    + " versions it runs, with the token in FLOTILLA_WORKER_TOKEN (scope deploy); a process that runs"
                    + " the registry too uses its own (env FLOTILLA_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--directory-cache-bytes", defaultValue = "${env:FLOTILLA_DIRECTORY_CACHE_BYTES:-268435456}",
            description = "Worker: how much of the directory versions it fetched it keeps, in bytes, least recently"
            + " used out first (default: ${DEFAULT-VALUE}, 256 MiB; env FLOTILLA_DIRECTORY_CACHE_BYTES).")
    long directoryCacheBytes;

    @Option(names = "--allowed-hosts", split = ",", paramLabel = "HOST",
            defaultValue = "${env:FLOTILLA_ALLOWED_HOSTS}",
            description = "Host names the API answers to besides localhost and the bind address; * for any"
                    + " (env FLOTILLA_ALLOWED_HOSTS).")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
            defaultValue = "${env:FLOTILLA_ALLOWED_ORIGINS}",
            description = "Origins (https://ops.example.com) whose pages may send requests that change something"
                    + " (env FLOTILLA_ALLOWED_ORIGINS).")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--log-format", defaultValue = "${env:FLOTILLA_LOG_FORMAT:-text}", paramLabel = "text|json",
            description = "Log lines as text or as one JSON object per line, with the MDC (deploymentSet, target,"
                    + " version) as fields (default: ${DEFAULT-VALUE}; env FLOTILLA_LOG_FORMAT).")
    String logFormat;

    DevServer.Options toOptions(List<DevServer.Role> roles, boolean devToken) {
        List<String> hosts = new ArrayList<>(allowedHosts == null ? List.of() : allowedHosts);
        hosts.add(bind);
        HttpSettings http = HttpSettings.of(hosts, allowedOrigins == null ? List.of() : allowedOrigins,
                secret("FLOTILLA_METRICS_TOKEN"), secret("FLOTILLA_ADMIN_TOKEN"),
                roles.equals(List.of(DevServer.Role.WORKER)) ? null : secret("FLOTILLA_WORKER_TOKEN"));
        KafkaSettings k = KafkaSettings.load(kafka, kafkaConfig, System.getenv(), replicationFactor, minInsyncReplicas);
        return new DevServer.Options(roles, k, jdbcUrl, config, vars, bind, port, dataDir, concurrency,
                maxPerServer, maxArchiveBytes, http, devToken, registryUrl, secret("FLOTILLA_WORKER_TOKEN"),
                directoryCacheBytes);
    }

    /** A secret from the environment, never from the command line (where every user of the host sees it). */
    private static String secret(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    int run(PrintWriter out, List<DevServer.Role> roles, String what, boolean devToken) throws Exception {
        LogFormat.of(logFormat).apply();
        return DevCommand.serve(out, toOptions(roles, devToken), what);
    }
}
