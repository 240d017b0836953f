package dev.flotilla.worker;

import dev.flotilla.fabric.ConsumerLag;
import dev.flotilla.fabric.DeadLetters;
import dev.flotilla.fabric.FlotillaService;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.TxMode;
import dev.flotilla.migrate.exec.ApplyOptions;
import dev.flotilla.migrate.exec.FailureClassifier;
import dev.flotilla.migrate.exec.RetryPolicy;
import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.MigrationExecutor;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker: consumes {@code flotilla.commands} in the group {@code workers}, applies each command
 * with the foundation's executor on its own {@code concurrency} JDBC threads
 * ({@code flotilla-worker-jdbc-<id>-<n>}, never the event loop), at most {@code maxPerServer} per
 * database server, and publishes exactly one terminal {@link MigrationResult} per command. The
 * event loop only decodes records into a bounded {@link CommandQueue}; a JDBC thread takes the next
 * command as soon as it is done with one and sends the result itself. The command's offset is
 * committed only after Kafka acknowledged its result. Schema-per-tenant PostgreSQL targets share
 * pooled connections ({@link TargetConnections}). Stateless: scale by starting more.
 */
public final class WorkerService implements FlotillaService {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerService.class);
    /** A command still running after this long shows as RUNNING, with per-file progress from then on. */
    static final Duration PROGRESS_AFTER = Duration.ofMillis(250);
    /** How long a command waits for its directory version to be fetched (retries of an unreachable source included). */
    private static final Duration DIRECTORY_WAIT = Duration.ofMinutes(5);
    /** The longest one request for an archive may take, its body included. */
    public static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);
    /**
     * How a source that cannot be reached is tried again: 6 attempts, waits growing from 0.5 s to
     * 15 s (full jitter), at most about half a minute of waiting in all.
     */
    static final RetryPolicy FETCH_RETRIES = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(15));
    /**
     * Commands decoded ahead of the JDBC threads: one poll's worth, so a thread that finishes finds
     * the next command waiting rather than the consumer paused. A command is a few hundred bytes;
     * those not started when a partition moves are redelivered to its next owner.
     */
    private static final int PREFETCH = 500;
    /** How long a starting worker waits to have read every set's rollout state before it runs commands. */
    private static final Duration ROLLOUTS_WAIT = Duration.ofSeconds(30);
    /** How long stopping waits for the commands being applied to finish. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final int concurrency;
    /** Commands held (queued or being applied) before the consumer is paused. */
    private final int maxHeld;
    private final CommandQueue<Queued> queue;
    private final AtomicInteger held = new AtomicInteger();
    private final java.util.List<Thread> threads = new java.util.ArrayList<>();
    private io.vertx.core.Context context;
    private final TargetResolver resolver;
    private final String workerId;
    private final OffsetTracker<TopicPartition> offsets = new OffsetTracker<>();
    private final DirectoryCache directories;
    private final MigrationExecutor executor = new MigrationExecutor();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ResultMaker results;
    private final RetryPolicy retries = RetryPolicy.defaults();
    private final TargetConnections connections;
    private RolloutStates rollouts;
    private SupervisedLoop rolloutsLoop;
    private Vertx vertx;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private boolean paused;
    /**
     * Commands held per partition. A partition holding its share of {@link #maxHeld} is paused alone,
     * so one partition's backlog (a staged group's lane: one command at a time) cannot fill the
     * worker while other partitions' lanes sit idle.
     */
    private final Map<TopicPartition, AtomicInteger> heldBy = new java.util.concurrent.ConcurrentHashMap<>();
    /** Partitions paused for their share (event-loop confined). */
    private final java.util.Set<TopicPartition> pausedParts = new java.util.HashSet<>();
    /** Whether some partition is paused alone: JDBC threads then hand back to the event loop to resume it. */
    private volatile boolean someParted;
    /** Commands whose target is being resolved off the event loop (event-loop confined). */
    private int resolving;
    private volatile boolean ready;
    private io.micrometer.core.instrument.MeterRegistry meters;
    private Timer applyTime;
    private long commitTimer = -1;
    private long evictTimer = -1;

    /**
     * @param sources where the archives of directory versions come from, in order: the registry first
     * @param directoryCacheBytes how much of what was fetched is kept (see {@link DirectoryCache})
     */
    public WorkerService(int concurrency, int maxPerServer, TargetResolver resolver, String workerId,
            List<ArchiveSource> sources, long directoryCacheBytes) {
        this(concurrency, maxPerServer, resolver, workerId, new DirectoryCache(sources, directoryCacheBytes,
                FETCH_RETRIES));
    }

    WorkerService(int concurrency, int maxPerServer, TargetResolver resolver, String workerId,
            DirectoryCache directories) {
        if (concurrency < 1 || maxPerServer < 1) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--concurrency (" + concurrency
                    + ") and --max-per-server (" + maxPerServer + ") must be at least 1");
        }
        this.concurrency = concurrency;
        this.resolver = resolver;
        this.workerId = workerId;
        this.maxHeld = concurrency + PREFETCH;
        this.queue = new CommandQueue<>(maxPerServer);
        this.results = new ResultMaker(workerId);
        this.connections = new TargetConnections(maxPerServer, Duration.ofSeconds(60));
        this.directories = directories;
    }

    @Override
    public String name() {
        return "worker";
    }

    @Override
    public Future<Void> start(ServiceHost host) {
        vertx = host.vertx();
        context = vertx.getOrCreateContext(); // the consumer's: offsets and pausing live there
        meters(host);
        rollouts = new RolloutStates(host.kafka());
        rolloutsLoop = SupervisedLoop.start("flotilla-worker-rollouts-" + workerId, rollouts);
        producer = KafkaProducer.create(vertx, KafkaClients.strings(KafkaClients.eventProducer(host.kafka(),
                "worker-" + workerId)));
        consumer = KafkaConsumer.create(vertx, KafkaClients.strings(KafkaClients.consumer(host.kafka(), "workers",
                "worker-" + workerId)));
        org.apache.kafka.clients.consumer.Consumer<String, byte[]> kafkaConsumer = consumer.unwrap();
        ConsumerLag.bind(host.meters(), "workers", () -> kafkaConsumer, Topics.COMMANDS);
        consumer.handler(this::onRecord);
        consumer.partitionsAssignedHandler(parts -> parts.forEach(tp -> {
            heldBy.put(tp, new AtomicInteger()); // a fresh count; commands of an earlier assignment may still finish
            pausedParts.remove(tp);
        }));
        consumer.partitionsRevokedHandler(parts -> {
            commitNow();
            parts.forEach(offsets::revoked);
            pausedParts.removeAll(parts);
            parts.forEach(heldBy::remove);
            // Not started yet: the partitions' next owner gets them again (their offsets are uncommitted).
            held.addAndGet(-queue.removeIf(q -> parts.contains(q.tp())));
            maybeResume();
        });
        commitTimer = vertx.setPeriodic(200, id -> commitNow());
        evictTimer = vertx.setPeriodic(10_000, id -> vertx.executeBlocking(() -> {
            connections.evictIdle();
            return null;
        }, false));
        for (int i = 1; i <= concurrency; i++) {
            Thread t = new Thread(this::takeAndApply, "flotilla-worker-jdbc-" + workerId + "-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return consumer.subscribe(Topics.COMMANDS).onSuccess(v -> ready = true);
    }

    private void meters(ServiceHost host) {
        Gauge.builder("flotilla_worker_commands_in_flight", inFlight, AtomicInteger::get)
                .description("commands being applied now").register(host.meters());
        meters = host.meters();
        applyTime = Timer.builder("flotilla_worker_apply_duration").description("time to apply one command")
                .publishPercentileHistogram().register(host.meters());
        Gauge.builder("flotilla_worker_directory_cache_bytes", directories, DirectoryCache::keptBytes)
                .description("directory versions kept after fetching, by weight").register(host.meters());
        FunctionCounter.builder("flotilla_worker_directory_fetches_total", directories, DirectoryCache::fetched)
                .description("directory versions fetched and verified").register(host.meters());
        FunctionCounter.builder("flotilla_worker_directory_fetch_failures_total", directories,
                DirectoryCache::fetchFailures).description("fetches that ended without the version (not found,"
                + " refused, unreachable)").register(host.meters());
    }

    private void onRecord(KafkaConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        offsets.started(tp, record.offset());
        if (held.incrementAndGet() >= maxHeld && !paused) {
            paused = true;
            consumer.pause();
        }
        if (heldBy.computeIfAbsent(tp, k -> new AtomicInteger()).incrementAndGet() >= partitionShare()
                && pausedParts.add(tp)) {
            someParted = true;
            consumer.pause(java.util.Set.of(tp));
        }
        MigrationCommand command;
        try {
            command = EventSerde.decode(record.value(), MigrationCommand.class);
        } catch (RuntimeException e) {
            vertx.<Void>executeBlocking(() -> {
                DeadLetters.park(producer.unwrap(), record.topic(), record.partition(), record.offset(), record.value(),
                        "undecodable MigrationCommand: " + e.getMessage()).get();
                return null;
            }, false).onComplete(ar -> {
                released();
                offsets.done(tp, record.offset());
            });
            return;
        }
        Optional<TargetResolver.Resolved> known = resolving == 0 ? resolver.cached(command) : Optional.empty();
        if (known.isPresent()) {
            enqueue(tp, record.offset(), command, known.get(), null);
            return;
        }
        // Finding a target may query a data "sql" database: not on the event loop. Ordered, so commands
        // keep their order behind one that is being resolved.
        resolving++;
        vertx.executeBlocking(() -> resolver.resolve(command), true).onComplete(ar -> {
            resolving--;
            enqueue(tp, record.offset(), command, ar.result(), ar.cause());
        });
    }

    private void enqueue(TopicPartition tp, long offset, MigrationCommand command, TargetResolver.Resolved target,
            Throwable unresolved) {
        RuntimeException refused = unresolved == null ? null : unresolved instanceof RuntimeException re ? re
                : new IllegalStateException(unresolved);
        if (refused == null) {
            try {
                allowed(command, target);
            } catch (RuntimeException e) {
                refused = e;
            }
        }
        if (refused != null) {
            queue.add("", new Queued(tp, offset, command, null, refused));
            return;
        }
        queue.add(target.url().serverKey(), command.getLane(), command.getIndex(), new Queued(tp, offset, command, target,
                null));
    }

    /**
     * A decoded command waiting for a JDBC thread.
     *
     * @param target where it runs, as this worker's configuration has it; null when it has no such target
     * @param unresolved why not, or why the command was refused
     */
    private record Queued(TopicPartition tp, long offset, MigrationCommand command, TargetResolver.Resolved target,
            RuntimeException unresolved) {
    }

    /** A JDBC thread's loop: the next command, applied, its result sent; until the queue closes. */
    private void takeAndApply() {
        try {
            // Paused and cancelled sets must be known before a command of theirs starts.
            if (!rollouts.awaitCaughtUp(ROLLOUTS_WAIT)) {
                LOG.warn("{} not read within {} s; commands start without knowing of paused sets", Topics.ROLLOUTS,
                        ROLLOUTS_WAIT.toSeconds());
            }
        } catch (InterruptedException ie) {
            return;
        }
        while (true) {
            CommandQueue.Entry<Queued> e;
            try {
                e = queue.take();
            } catch (InterruptedException ie) {
                return;
            }
            if (e == null) {
                return;
            }
            Queued q = e.command();
            inFlight.incrementAndGet();
            MigrationResult r;
            try {
                r = handle(q);
            } finally {
                queue.done(e);
                inFlight.decrementAndGet();
            }
            publish(q, r);
            AtomicInteger mine = heldBy.get(q.tp());
            int left = mine == null ? 0 : mine.decrementAndGet();
            if (held.decrementAndGet() == maxHeld - 1 || someParted && left <= partitionShare() / 2) {
                context.runOnContext(v -> maybeResume());
            }
        }
    }

    private MigrationResult handle(Queued q) {
        MigrationCommand c = q.command();
        Instant start = Instant.now();
        Optional<RolloutStates.Skip> skip = rollouts.skip(c);
        if (skip.isPresent()) {
            return skipped(c, start, skip.get());
        }
        if (q.unresolved() != null) {
            return failure(c, start, q.unresolved());
        }
        try {
            DirectoryCache.Version version = directories.await(c.getDirectory(), c.getVersionId(), DIRECTORY_WAIT);
            skip = rollouts.skip(c); // the fetch may have taken a while
            if (skip.isPresent()) {
                return skipped(c, start, skip.get());
            }
            return apply(c, q.target(), version, start);
        } catch (RuntimeException e) {
            return failure(c, start, e);
        }
    }

    private MigrationResult skipped(MigrationCommand c, Instant start, RolloutStates.Skip skip) {
        LOG.debug("command {} for {} not started: {}", c.getCommandId(), c.getTargetId(), skip.why());
        return counted(results.skipped(c, start, skip.code(), skip.why()));
    }

    private MigrationResult apply(MigrationCommand c, TargetResolver.Resolved target, DirectoryCache.Version version,
            Instant start) {
        MDC.put("target", c.getTargetId());
        MDC.put("deploymentSet", String.valueOf(c.getDeploymentSetId()));
        MDC.put("version", String.valueOf(c.getTargetVersion()));
        Timer.Sample sample = Timer.start();
        try {
            PreparedDirectory prepared = directories.prepared(version, target.url().dialect());
            return counted(applyWithRetries(c, target, prepared, start));
        } catch (RuntimeException e) {
            return counted(failure(c, start, e));
        } finally {
            sample.stop(applyTime);
            MDC.clear();
        }
    }

    /**
     * Applies, retrying transient failures (unreachable target, lock timeout, deadlock) with the
     * retry policy's bounded, jittered backoff, whether thrown or reported in the result; permanent
     * ones fail at once. Safe to repeat: a failed file was rolled back, or resumes where it stopped.
     */
    private MigrationResult applyWithRetries(MigrationCommand c, TargetResolver.Resolved target,
            PreparedDirectory prepared, Instant start) {
        try {
            ApplyResult r = retries.call(() -> applyOnce(c, target, prepared),
                    result -> result.retriable() ? Optional.of(result.error()) : Optional.empty(),
                    retry -> LOG.info("{} on {}", retry, c.getTargetId()));
            return results.of(c, r);
        } catch (FlotillaException e) {
            // The classified code: a connection failure that the server refused for its credentials is AUTH_FAILED.
            return results.failed(c, start, FailureClassifier.classify(e).code(), e.getMessage());
        }
    }

    /**
     * One run of the executor: on a pooled connection for schema-per-tenant PostgreSQL (returned
     * only when the run ended normally), else on a connection of its own.
     */
    private ApplyResult applyOnce(MigrationCommand c, TargetResolver.Resolved target, PreparedDirectory prepared) {
        DatabaseUrl url = target.url();
        ApplyOptions o = options(c, target);
        try (ProgressPublisher progress = new ProgressPublisher(vertx, producer.unwrap(), c, PROGRESS_AFTER)) {
            if (!TargetConnections.pooled(url)) {
                return executor.apply(url, prepared, o, progress);
            }
            java.sql.Connection conn = connections.borrow(url, o.connectTimeout());
            boolean reusable = false;
            try {
                ApplyResult r = executor.apply(conn, url, prepared, o, progress);
                reusable = true;
                return r;
            } finally {
                connections.release(url, conn, reusable);
            }
        }
    }

    private MigrationResult counted(MigrationResult r) {
        Counter.builder("flotilla_worker_commands_applied_total").description("commands applied, by terminal status")
                .tag("status", r.getStatus()).register(meters).increment();
        return r;
    }

    /** The options a run uses: its env's, from this worker's project file, never the command's own. */
    private static ApplyOptions options(MigrationCommand c, TargetResolver.Resolved target) {
        // The command's version is a cap (--to-version, to_version): never past it. It only ever runs less.
        ApplyOptions.Builder o = ApplyOptions.builder().dryRun(c.getDryRun()).toVersion(c.getTargetVersion());
        if (target.txMode() != null) {
            o.txMode(TxMode.parse(target.txMode()));
        }
        if (target.baseline() != null) {
            o.baseline(target.baseline());
        }
        return o.build();
    }

    /**
     * Refuses a command that asks for a baseline or transaction mode its env does not set in this
     * worker's project file: a forged command must not baseline a database past files it never ran.
     */
    static void allowed(MigrationCommand c, TargetResolver.Resolved target) {
        allowed(c, "baseline", c.getBaseline(), target.baseline());
        allowed(c, "tx mode", c.getTxMode(), target.txMode());
    }

    private static void allowed(MigrationCommand c, String what, String asked, String set) {
        if (asked != null && !asked.equals(set)) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "command " + c.getCommandId() + " asks for " + what
                    + " \"" + asked + "\", but env \"" + c.getEnv() + "\" in this worker's project file sets "
                    + (set == null ? "none" : "\"" + set + "\"") + "; refused, nothing was connected");
        }
    }

    private MigrationResult failure(MigrationCommand c, Instant start, Throwable e) {
        if (e instanceof FlotillaException) {
            FlotillaException fe = (FlotillaException) e;
            return results.failed(c, start, fe.code(), fe.getMessage());
        }
        LOG.error("unexpected failure applying command {} to {}", c.getCommandId(), c.getTargetId(), e);
        return results.failed(c, start, ErrorCode.INTERNAL, "internal error: " + e);
    }

    /**
     * Sends the result from the JDBC thread (Kafka's producer is thread-safe and may block there
     * for metadata); the offset is marked done on the event loop once Kafka acknowledged it.
     */
    private void publish(Queued q, MigrationResult r) {
        try {
            producer.unwrap().send(new ProducerRecord<>(Topics.RESULTS, r.getTargetId(), EventSerde.encode(r)),
                    (md, e) -> {
                        if (e == null) {
                            context.runOnContext(v -> offsets.done(q.tp(), q.offset()));
                        } else {
                            notPublished(q, e);
                        }
                    });
        } catch (RuntimeException e) {
            notPublished(q, e);
        }
    }

    /** The offset stays uncommitted, so the command is redelivered to whoever owns the partition next. */
    private static void notPublished(Queued q, Exception e) {
        LOG.error("result of command {} for {} could not be published; it will be redelivered (the executor"
                + " finds the work done and reports it again)", q.command().getCommandId(),
                q.command().getTargetId(), e);
    }

    /** A record that never became a command (parked as undecodable) is no longer held. */
    private void released() {
        held.decrementAndGet();
        maybeResume();
    }

    private void maybeResume() {
        if (paused && held.get() < maxHeld) {
            paused = false;
            consumer.resume();
        }
        if (!pausedParts.isEmpty()) {
            int share = partitionShare();
            java.util.Set<TopicPartition> ready = new java.util.HashSet<>();
            for (TopicPartition tp : pausedParts) {
                AtomicInteger n = heldBy.get(tp);
                if (n == null || n.get() <= share / 2) {
                    ready.add(tp);
                }
            }
            if (!ready.isEmpty()) {
                pausedParts.removeAll(ready);
                consumer.resume(ready);
            }
        }
        someParted = !pausedParts.isEmpty();
    }

    /** How many commands one partition may hold: its share of {@link #maxHeld}, at least 2 × concurrency. */
    private int partitionShare() {
        return Math.max(2 * concurrency, maxHeld / Math.max(1, heldBy.size()));
    }

    private void commitNow() {
        Map<TopicPartition, Long> next = offsets.committable();
        if (next.isEmpty() || consumer == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        next.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o, workerId)));
        consumer.commit(commit).onSuccess(v -> offsets.committed(next))
                .onFailure(e -> LOG.warn("offset commit failed; records may be redelivered: {}", e.getMessage()));
    }

    @Override
    public Future<Void> stop() {
        ready = false;
        if (commitTimer >= 0) {
            vertx.cancelTimer(commitTimer);
        }
        if (evictTimer >= 0) {
            vertx.cancelTimer(evictTimer);
        }
        commitNow();
        if (rolloutsLoop != null) {
            rolloutsLoop.stop(Duration.ofSeconds(5));
        }
        queue.close(); // no new command starts; those queued are redelivered to the next owner
        Future<Void> c = consumer == null ? Future.succeededFuture() : consumer.close();
        return c.compose(v -> vertx.executeBlocking(() -> {
                    // Let the commands being applied finish and send their results.
                    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
                    for (Thread t : threads) {
                        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    }
                    return null;
                }, false))
                .compose(v -> producer == null ? Future.succeededFuture() : producer.close())
                .onComplete(v -> {
                    threads.forEach(Thread::interrupt);
                    connections.close();
                    directories.close();
                });
    }

    @Override
    public boolean ready() {
        return ready;
    }
}
