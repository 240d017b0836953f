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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    private static final Logger LOG = LoggerFactory.getLogger(DevServer.class);
    /** How long a start waits for its services to say they are ready. */
    private static final java.time.Duration READY_WAIT = java.time.Duration.ofSeconds(30);

    /** Closed in reverse; the start phases add to it from their own threads. */
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    /** Held while this process runs an embedded Kafka or PostgreSQL in the data directory; released last. */
    private DataDirectoryLock dataDirLock;
    private ServiceHost host;
    private List<FlotillaService> deployed = List.of();
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

    /**
     * Kafka (an embedded broker, then the topics) and the store (an embedded PostgreSQL, then the
     * pool) need nothing of each other, so they start side by side; the project file is read
     * meanwhile. The host needs both; the services then start together, as none needs another to
     * have started (the worker reaches the registry through this process's port only when it
     * fetches, which is after it listens), and the process listens once all are up. Each phase logs
     * how long it took. When one fails, the others are let finish before everything closes, so
     * nothing they started outlives the failure, and the failure of the first is what is thrown.
     */
    private void boot(Options o) throws Exception {
        long t0 = System.nanoTime();
        boolean needsStore = !o.roles().equals(List.of(Role.WORKER));
        if (o.kafka().bootstrap() == null || (needsStore && o.jdbcUrl() == null)) {
            dataDirLock = DataDirectoryLock.acquire(o.dataDir());
        }
        ExecutorService phases = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "flotilla-dev-start");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<KafkaSettings> kafkaPhase = phases.submit(() -> startKafka(o));
            Future<ServiceStore> storePhase = needsStore ? phases.submit(() -> startStore(o)) : null;
            ProjectConfig config;
            try {
                config = timed("project file read", () -> o.config() != null && Files.exists(o.config())
                        ? ProjectConfig.load(o.config(), o.vars()) : ProjectConfig.parse("", Path.of("."), Map.of()));
            } finally {
                settle(kafkaPhase, storePhase);
            }
            KafkaSettings kafka = result(kafkaPhase);
            ServiceStore db = storePhase == null ? null : result(storePhase);
            host = timed("service host set up", () -> new ServiceHost(kafka, db, o.http()));
            if (o.devToken() && host.access() != null) {
                adminToken = DevToken.ensure(o.dataDir(), host.access());
            }
            listenHost = o.host();
            long s0 = System.nanoTime();
            List<io.vertx.core.Future<Void>> deploys = new ArrayList<>();
            deployed = services(o, config);
            for (FlotillaService svc : deployed) {
                deploys.add(host.deploy(svc).recover(e -> io.vertx.core.Future.failedFuture(
                        e instanceof FlotillaException ? e : new IllegalStateException("the " + svc.name()
                                + " service did not start: " + e.getMessage(), e))));
            }
            // join, not all: every deploy ends (or fails) before close() stops those that did start
            try {
                io.vertx.core.Future.join(deploys).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                for (io.vertx.core.Future<Void> d : deploys) {
                    if (d.failed()) {
                        throw rethrowable(d.cause());
                    }
                }
                throw rethrowable(e.getCause());
            }
            LOG.info("services started in {} ms", ms(s0));
            port = host.listen(o.host(), o.port()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LOG.info("listening on port {}, {} ms after the start began", port, ms(t0));
            awaitReady();
            LOG.info("ready {} ms after the start began", ms(t0));
        } finally {
            phases.shutdownNow();
        }
    }

    /**
     * Waits until every service says it is ready (its consumers have caught up, its loops run): a
     * started service may still be joining its consumer group, and "ready" is what
     * {@code /health/ready} answers. A service not ready within {@link #READY_WAIT} is named in a
     * warning, and the start goes on: it may be waiting for something outside this process.
     */
    private void awaitReady() throws InterruptedException {
        List<FlotillaService> services = deployed;
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (!services.stream().allMatch(FlotillaService::ready)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("not ready {} s after starting: {}; /health/ready says what they wait for",
                        READY_WAIT.toSeconds(), services.stream().filter(svc -> !svc.ready())
                                .map(FlotillaService::name).toList());
                return;
            }
            Thread.sleep(10);
        }
    }

    /** The embedded broker if none is given, then the topics. */
    private KafkaSettings startKafka(Options o) {
        KafkaSettings kafka = o.kafka();
        if (kafka.bootstrap() == null) {
            EmbeddedKafkaBroker broker = timed("embedded Kafka started",
                    () -> EmbeddedKafkaBroker.start(o.dataDir().resolve("kafka")));
            resources.add(broker);
            kafka = kafka.withBootstrap(broker.bootstrapServers());
        }
        KafkaSettings k = kafka;
        timed("Kafka topics ensured", () -> {
            TopicSetup.ensure(k);
            return null;
        });
        return k;
    }

    /** The embedded PostgreSQL if no JDBC URL is given, then the store's pool. */
    private ServiceStore startStore(Options o) {
        String jdbc = o.jdbcUrl();
        if (jdbc == null) {
            EmbeddedPostgresServer pg = timed("embedded PostgreSQL started",
                    () -> EmbeddedPostgresServer.start(o.dataDir().resolve("postgres")));
            resources.add(pg);
            jdbc = pg.jdbcUrl();
        }
        String url = jdbc;
        ServiceStore db = timed("store connected", () -> ServiceStore.connect(url, url.contains("user=") ? null
                : "postgres", System.getenv("FLOTILLA_JDBC_PASSWORD"), 16, "flotilla-store"));
        resources.add(db);
        return db;
    }

    /** Waits for every phase to end, however it ends: what they started is then in {@link #resources}. */
    private static void settle(Future<?>... phases) throws InterruptedException {
        for (Future<?> f : phases) {
            if (f == null) {
                continue;
            }
            try {
                f.get();
            } catch (ExecutionException e) {
                // reported by result()
            }
        }
    }

    /** A settled phase's value, or its own failure as thrown (not wrapped), so it names what failed. */
    private static <T> T result(Future<T> phase) throws Exception {
        try {
            return phase.get();
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    private static Exception rethrowable(Throwable t) {
        if (t instanceof Error err) {
            throw err;
        }
        return t instanceof Exception e ? e : new IllegalStateException(t);
    }

    private static <T> T timed(String what, java.util.function.Supplier<T> step) {
        long t = System.nanoTime();
        T out = step.get();
        LOG.info("{} in {} ms", what, ms(t));
        return out;
    }

    private static String name(AutoCloseable r) {
        return embeddedServer(r) ? r.toString() : r.getClass().getSimpleName();
    }

    /** The embedded broker or PostgreSQL: a process's worth of work to stop, and named by its address. */
    private static boolean embeddedServer(AutoCloseable r) {
        return r instanceof EmbeddedKafkaBroker || r instanceof EmbeddedPostgresServer;
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
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

    /**
     * Stops the services first (the worker finishes or hands back what it holds, consumers leave
     * their groups), then what they used, in reverse: the store's pool, backup sources; last the
     * embedded broker and PostgreSQL, side by side, as nothing uses either any more. Each step logs
     * how long it took.
     */
    @Override
    public void close() {
        long t0 = System.nanoTime();
        if (host != null) {
            long t = System.nanoTime();
            host.close();
            LOG.info("services stopped in {} ms", ms(t));
        }
        List<Thread> servers = new ArrayList<>();
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable r = resources.get(i);
            if (embeddedServer(r)) {
                servers.add(new Thread(() -> closeQuietly(r), "flotilla-dev-stop-" + r.getClass().getSimpleName()));
            } else {
                closeQuietly(r);
            }
        }
        servers.forEach(Thread::start);
        for (Thread t : servers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (dataDirLock != null) {
            dataDirLock.close(); // only now: the embedded servers are down
        }
        LOG.info("stopped in {} ms", ms(t0));
    }

    private static void closeQuietly(AutoCloseable r) {
        long t = System.nanoTime();
        try {
            r.close();
            LOG.info("{} closed in {} ms", name(r), ms(t));
        } catch (Exception e) {
            LOG.warn("{} did not close cleanly", name(r), e); // keep closing the rest
        }
    }
}
