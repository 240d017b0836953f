package dev.flotilla.cli.dev;

import dev.flotilla.aggregator.AggregatorService;
import dev.flotilla.coordinator.CoordinatorService;
import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.fabric.FlotillaService;
import dev.flotilla.fabric.HttpSettings;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.fabric.access.AccessService;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.notifier.NotifierService;
import dev.flotilla.openapi.OpenApiService;
import dev.flotilla.registry.RegistryService;
import dev.flotilla.web.WebService;
import dev.flotilla.worker.ArchiveSource;
import dev.flotilla.worker.WorkerService;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Flotilla's services in this JVM, on one HTTP port: what {@code flotilla dev} runs, and what the
 * standalone service commands run one at a time. Kafka and PostgreSQL are embedded unless given.
 */
public final class DevServer implements AutoCloseable {
    /** Which services to run. */
    public enum Role { REGISTRY, COORDINATOR, WORKER, AGGREGATOR, NOTIFIER }

    /**
     * How to start.
     *
     * @param roles services to run
     * @param kafka how to reach Kafka; a null bootstrap embeds a broker
     * @param jdbcUrl PostgreSQL for the stores, null to embed one
     * @param config the project file (atlas.hcl), null for none
     * @param vars --var overrides for the project file
     * @param host HTTP bind address
     * @param port HTTP port, 0 for any
     * @param dataDir where embedded Kafka and PostgreSQL keep their data
     * @param concurrency worker: targets in flight
     * @param maxPerServer worker: concurrent applies per database server
     * @param maxArchiveBytes registry: largest accepted push
     * @param http who the HTTP API answers, the metrics token, the bootstrap admin token
     * @param devToken whether to keep a local admin token in {@code dataDir/admin.token} (dev mode)
     * @param registryUrl worker: the registry it fetches directory versions from; null for this
     *     process's own address, when it runs the registry
     * @param workerToken worker: its API token for the registry (scope deploy); null for one this
     *     process makes and keeps in {@code dataDir/worker.token}, when it runs the registry
     * @param directoryCacheBytes worker: directory versions kept after fetching, in bytes
     */
    public record Options(List<Role> roles, KafkaSettings kafka, String jdbcUrl, Path config, Map<String, String> vars,
            String host, int port, Path dataDir, int concurrency, int maxPerServer, long maxArchiveBytes,
            HttpSettings http, boolean devToken, String registryUrl, String workerToken, long directoryCacheBytes) {

        /** Options whose worker, if any, fetches from this process's own registry and keeps up to 256 MiB. */
        public Options(List<Role> roles, KafkaSettings kafka, String jdbcUrl, Path config, Map<String, String> vars,
                String host, int port, Path dataDir, int concurrency, int maxPerServer, long maxArchiveBytes,
                HttpSettings http, boolean devToken) {
            this(roles, kafka, jdbcUrl, config, vars, host, port, dataDir, concurrency, maxPerServer, maxArchiveBytes,
                    http, devToken, null, null, DEFAULT_DIRECTORY_CACHE_BYTES);
        }
    }

    /** The largest push the registry takes unless told otherwise: 64 MiB. */
    public static final long DEFAULT_MAX_ARCHIVE_BYTES = 64L * 1024 * 1024;
    /** What a worker keeps of the directory versions it fetched unless told otherwise: 256 MiB. */
    public static final long DEFAULT_DIRECTORY_CACHE_BYTES = 256L * 1024 * 1024;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private ServiceHost host;
    private volatile int port;
    private String listenHost;
    private Path adminToken;

    private DevServer() {
    }

    public static DevServer start(Options o) throws Exception {
        DevServer s = new DevServer();
        try {
            s.boot(o);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void boot(Options o) throws Exception {
        KafkaSettings kafka = o.kafka();
        if (kafka.bootstrap() == null) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(o.dataDir().resolve("kafka"));
            resources.add(broker);
            kafka = kafka.withBootstrap(broker.bootstrapServers());
        }
        TopicSetup.ensure(kafka);
        boolean needsStore = !o.roles().equals(List.of(Role.WORKER));
        String jdbc = o.jdbcUrl();
        if (jdbc == null && needsStore) {
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(o.dataDir().resolve("postgres"));
            resources.add(pg);
            jdbc = pg.jdbcUrl();
        }
        ServiceStore db = null;
        if (needsStore) {
            db = ServiceStore.connect(jdbc, jdbc.contains("user=") ? null : "postgres",
                    System.getenv("FLOTILLA_JDBC_PASSWORD"), 16, "flotilla-store");
            resources.add(db);
        }
        ProjectConfig config = o.config() != null && Files.exists(o.config())
                ? ProjectConfig.load(o.config(), o.vars()) : ProjectConfig.parse("", Path.of("."), Map.of());
        host = new ServiceHost(kafka, db, o.http());
        if (o.devToken() && host.access() != null) {
            adminToken = DevToken.ensure(o.dataDir(), host.access());
        }
        listenHost = o.host();
        for (FlotillaService svc : services(o, config)) {
            host.deploy(svc).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        port = host.listen(o.host(), o.port()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private List<FlotillaService> services(Options o, ProjectConfig config) {
        List<FlotillaService> out = new ArrayList<>();
        for (Role r : o.roles()) {
            switch (r) {
                case REGISTRY: out.add(new RegistryService(o.maxArchiveBytes())); break;
                case COORDINATOR: out.add(new CoordinatorService(config,
                        o.config() == null ? PolicyConfig.NONE : PolicyConfig.besides(o.config()))); break;
                case WORKER: out.add(new WorkerService(o.concurrency(), o.maxPerServer(),
                        new ConfigTargetResolver(config), UUID.randomUUID().toString().substring(0, 8),
                        archiveSources(o, config), o.directoryCacheBytes())); break;
                case NOTIFIER: out.add(new NotifierService()); break;
                default:
                    out.add(new AggregatorService());
                    out.add(new AccessService());
                    out.add(new WebService());
                    out.add(new OpenApiService());
            }
        }
        return out;
    }

    /** The registry, then the project file's backup repositories (if it names any). */
    private List<ArchiveSource> archiveSources(Options o, ProjectConfig config) {
        List<ArchiveSource> sources = new ArrayList<>();
        sources.add(registrySource(o));
        BackupArchiveSource.of(config).ifPresent(b -> {
            resources.add(b);
            sources.add(b);
        });
        return sources;
    }

    /**
     * Where the worker fetches directory versions: the registry the options name, else this
     * process's own once it listens; with the token the options give, else one with scope deploy
     * that this process keeps for its worker.
     */
    private ArchiveSource registrySource(Options o) {
        boolean ownRegistry = o.roles().contains(Role.REGISTRY);
        List<String> problems = new ArrayList<>();
        String url = o.registryUrl() == null || o.registryUrl().isBlank() ? null : o.registryUrl().trim();
        if (url != null && !url.matches("https?://[^/?#\\s]+/?")) {
            problems.add("--registry-url \"" + url + "\" is not an address like http://registry:8080");
        } else if (url == null && !ownRegistry) {
            problems.add("a worker fetches the directory versions it runs from the registry: give --registry-url"
                    + " (or FLOTILLA_REGISTRY_URL)");
        }
        String token = o.workerToken();
        if (token == null && ownRegistry && host.access() != null) {
            token = DevToken.ensureWorker(o.dataDir(), host.access());
        } else if (token == null) {
            problems.add("a worker needs an API token with scope deploy for the registry in FLOTILLA_WORKER_TOKEN"
                    + " (flotilla token create --name worker --scope deploy)");
        }
        if (!problems.isEmpty()) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, String.join("; ", problems));
        }
        String given = url;
        return ArchiveSource.registry(() -> given != null ? given : ownUrl(), token, WorkerService.FETCH_TIMEOUT);
    }

    /** This process's own address, once it listens; loopback when it listens on every interface. */
    private String ownUrl() {
        if (port == 0) {
            return null;
        }
        String h = "0.0.0.0".equals(listenHost) || "::".equals(listenHost) ? "127.0.0.1" : listenHost;
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The process's HTTP host: its API, tokens and routes. */
    public ServiceHost host() {
        return host;
    }

    /** Where the dev admin token is kept; null when {@link Options#devToken()} was off. */
    public Path adminTokenFile() {
        return adminToken;
    }

    public boolean ready() {
        return host != null && host.ready();
    }

    @Override
    public void close() {
        if (host != null) {
            host.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
