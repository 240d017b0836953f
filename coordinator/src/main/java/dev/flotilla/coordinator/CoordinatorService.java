package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.EnvConfig;
import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.coordinator.config.ProjectConfig;
import dev.flotilla.fabric.Api;
import dev.flotilla.fabric.DeadLetters;
import dev.flotilla.fabric.HttpErrors;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.Requests;
import dev.flotilla.fabric.ServiceHost;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.StoreBackedService;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.fabric.access.AuditEvent;
import dev.flotilla.fabric.access.AuditTrail;
import dev.flotilla.fabric.access.Scope;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureClassifier;
import dev.flotilla.migrate.exec.RetryPolicy;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DirectoryPushed;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The coordinator: watches pushes, creates a deployment set for every env that follows the
 * pushed directory, and fans out one command per target. Also serves
 * {@code POST /api/v1/deployments} for {@code flotilla migrate apply --env}.
 */
public final class CoordinatorService extends StoreBackedService {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorService.class);

    private final ProjectConfig config;
    private final PolicyConfig policy;
    /**
     * How long a push's fan-out is tried before its set is FAILED: 10 attempts, waits growing from
     * 2 s to 30 s (full jitter), about a minute and a half in all on average.
     */
    private static final RetryPolicy FANOUT_RETRIES = new RetryPolicy(10, Duration.ofSeconds(2),
            Duration.ofSeconds(30)).withClassifier(CoordinatorService::classify);

    private final DirectoryIndex index = new DirectoryIndex();
    private FanOut fanOut;
    private KafkaProducer<String, byte[]> producer;
    private KafkaProducer<String, byte[]> dlq;
    private KafkaSettings kafka;
    private ServiceStore db;
    private Counter published;
    private AuditTrail audit;
    private Api api;
    private SupervisedLoop watcher;
    private SupervisedLoop resultsLoop;
    private Rollouts rollouts;
    private volatile boolean caughtUp;

    public CoordinatorService(ProjectConfig config) {
        this(config, PolicyConfig.NONE);
    }

    /**
     * @param policy Flotilla's own settings ({@code flotilla.hcl}): halts and promotions per env
     */
    public CoordinatorService(ProjectConfig config, PolicyConfig policy) {
        this.config = config;
        this.policy = policy;
        for (EnvConfig env : config.envs()) {
            policy.promoteFrom(env.name()).ifPresent(from -> {
                if (config.env(from).isEmpty()) {
                    throw new FlotillaException(ErrorCode.CONFIG_INVALID, "flotilla.hcl: env \"" + env.name()
                            + "\" is promoted from env \"" + from + "\", which is not in the project file; envs: "
                            + config.envs().stream().map(EnvConfig::name).toList());
                }
            });
        }
    }

    @Override
    public String name() {
        return "coordinator";
    }

    @Override
    protected int jdbcThreads() {
        return 4;
    }

    /** A fan-out to a large fleet is one call; it is expected to take a while. */
    @Override
    protected Duration longestJdbcCall() {
        return Duration.ofHours(1);
    }

    @Override
    protected void prepare(ServiceHost host) {
        db = host.store();
        kafka = host.kafka();
        published = Counter.builder("flotilla_coordinator_commands_published_total").register(host.meters());
        db.migrate("CREATE TABLE IF NOT EXISTS coordinator_handled_pushes (event_id text PRIMARY KEY,"
                + " handled_at timestamptz NOT NULL DEFAULT now())");
        producer = new KafkaProducer<>(new HashMap<>(KafkaClients.transactionalProducer(host.kafka(),
                "coordinator", "flotilla-coordinator")));
        producer.initTransactions();
        fanOut = new FanOut(producer, db);
        rollouts = fanOut.rollouts();
        rollouts.onReached(this::promote);
        rollouts.onCommandsPublished(published::increment);
    }

    @Override
    protected void serve(ServiceHost host) {
        rollouts.republishUnpublished();
        promoteMissed();
        resultsLoop = SupervisedLoop.start("flotilla-coordinator-results", new RolloutResults(kafka, rollouts,
                host.meters()));
        watcher = SupervisedLoop.start("flotilla-coordinator-pushes", this::watch);
        audit = host.access().audit();
        api = host.api();
        api.json(HttpMethod.POST, "/api/v1/deployments", Scope.DEPLOY, this::deployRequest);
        for (Rollouts.Action a : Rollouts.Action.values()) {
            api.json(HttpMethod.POST, "/api/v1/deployment-sets/:id/" + a.name().toLowerCase(java.util.Locale.ROOT),
                    Scope.DEPLOY, ctx -> control(ctx, a));
        }
    }

    /**
     * One run of the push watcher: reads every push from the start (to know each tag's version)
     * and deploys those not yet handled. A failure (the store or Kafka gone) ends the run; the
     * supervisor starts another, which reads again from the start, so an unhandled push is never
     * skipped.
     */
    private void watch(SupervisedLoop loop) {
        TopicPartition tp = new TopicPartition(Topics.DIRECTORIES, 0);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null,
                "coordinator-dirs"))) {
            loop.onStop(consumer::wakeup);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (loop.running()) {
                var batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : batch) {
                    onPush(r, loop);
                }
                loop.up();
                if (batch.isEmpty()) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            LOG.debug("push watcher stopped");
        }
    }

    private void onPush(ConsumerRecord<String, byte[]> r, SupervisedLoop loop) {
        DirectoryPushed e;
        try {
            e = EventSerde.decode(r.value(), DirectoryPushed.class);
        } catch (RuntimeException ex) {
            park(r, "undecodable DirectoryPushed: " + ex.getMessage());
            return;
        }
        DirectoryIndex.Moved moved = index.pushed(e);
        if (handled(e.getEventId())) {
            return;
        }
        for (EnvConfig env : config.envs()) {
            if (follows(env, e, moved)) {
                Optional<String> from = policy.promoteFrom(env.name());
                if (from.isPresent()) {
                    LOG.info("{}:{} reaches env {} once every target of env {} has it (flotilla.hcl promote_from)",
                            e.getDirectory(), e.getTag(), env.name(), from.get());
                    continue;
                }
                deploy(e, env, loop);
            }
        }
        markHandled(e.getEventId());
    }

    /**
     * Deploys a push to an env, retrying a fan-out that fails for a while (the {@code data "sql"}
     * database or Kafka away) with backoff; when it keeps failing, publishes the set as FAILED with
     * the reason, for the views and for people, who can start it again with
     * {@code flotilla migrate apply --env}. If even that cannot be published, the exception ends
     * the watcher's run and the push is handled again by the next one: no deployment is lost.
     */
    private void deploy(DirectoryPushed e, EnvConfig env, SupervisedLoop loop) {
        String setId = FanOut.setIdFor(e.getEventId(), env.name());
        DirectoryIndex.TagVersion v = index.find(e.getDirectory(), e.getTag()).orElseThrow();
        try {
            FANOUT_RETRIES.call(() -> {
                if (!loop.running()) {
                    throw new InterruptedException("the coordinator is stopping");
                }
                return fanOut.deploy(setId, env, v, "PUSH", false, null, policy.forEnv(env.name()).halt());
            }, retry -> LOG.warn("deploying {}:{} to env {}: {}", e.getDirectory(), e.getTag(), env.name(), retry));
        } catch (FlotillaException ex) {
            if (!loop.running()) {
                throw ex;
            }
            LOG.error("deploying {}:{} to env {} failed for good, the set is FAILED: {}", e.getDirectory(),
                    e.getTag(), env.name(), ex.getMessage());
            fanOut.failed(setId, env, v, "PUSH", ex.getMessage());
        }
    }

    /**
     * What is worth another attempt of a fan-out: Kafka's failures, and a target query's database
     * that cannot be reached or refuses connections for now (whatever SQLState it gives); the rest
     * (a bad query, refused credentials, a bad project file) as the database rules say.
     */
    static FailureClassifier.Classification classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KafkaException) {
                return new FailureClassifier.Classification(FailureClassifier.Kind.TRANSIENT,
                        ErrorCode.CONNECTION_FAILED, "Kafka: " + c.getClass().getSimpleName());
            }
            if (c instanceof FlotillaException fe && fe.code() == ErrorCode.CONNECTION_FAILED) {
                return new FailureClassifier.Classification(FailureClassifier.Kind.TRANSIENT,
                        ErrorCode.CONNECTION_FAILED, "cannot connect");
            }
        }
        return FailureClassifier.classify(t);
    }

    private void park(ConsumerRecord<String, byte[]> r, String reason) {
        try {
            DeadLetters.park(producerForDeadLetters(), r.topic(), r.partition(), r.offset(), r.value(), reason).get();
        } catch (Exception dl) {
            LOG.error("cannot park record {}@{} on the dead-letter topic ({})", r.topic(), r.offset(), reason, dl);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producerForDeadLetters() {
        if (dlq == null) {
            dlq = new KafkaProducer<>(new HashMap<>(KafkaClients.producer(kafka, "coordinator-dlq")));
        }
        return dlq;
    }

    /**
     * An env follows a push when it reads that directory at the pushed tag, or at latest; and the
     * push moved that tag (a push older than the one the tag points at, announced late, deploys
     * nowhere: it would take the env back).
     */
    static boolean follows(EnvConfig env, DirectoryPushed e, DirectoryIndex.Moved moved) {
        if (env.registryDirectory().isEmpty() || !env.registryDirectory().get().equals(e.getDirectory())) {
            return false;
        }
        return env.registryTag().map(t -> t.equals(e.getTag()) && moved.tag()).orElse(moved.latest());
    }

    private boolean handled(String eventId) {
        return sql("SELECT 1 FROM coordinator_handled_pushes WHERE event_id = ?", eventId) > 0;
    }

    private void markHandled(String eventId) {
        sql("INSERT INTO coordinator_handled_pushes (event_id) VALUES (?) ON CONFLICT DO NOTHING", eventId);
    }

    private int sql(String sql, String arg) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            if (sql.startsWith("SELECT")) {
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? 1 : 0;
                }
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("coordinator store: " + e.getMessage(), e);
        }
    }

    private void deployRequest(RoutingContext ctx) {
        JsonObject body = Requests.jsonBody(ctx, Set.of("env", "tag", "dryRun", "toVersion"));
        String envName = Requests.requiredString(body, "env");
        String tag = Requests.string(body, "tag");
        boolean dryRun = Requests.bool(body, "dryRun", false);
        String toVersion = Requests.string(body, "toVersion");
        if (toVersion != null && !toVersion.matches("[0-9A-Za-z._-]{1,64}")) {
            throw Requests.invalid("toVersion \"" + toVersion + "\" is not a migration version; give the version"
                    + " part of a file name, e.g. 20240102150000");
        }
        api.require(ctx, Scope.DEPLOY, "env", envName);
        AuditEvent event = Api.event(ctx, "deployment.create", "env " + envName, "ok", null);
        jdbc().executeBlocking(() -> {
            try {
                JsonObject created = deploy(envName, tag, dryRun, toVersion);
                audit.record(withOutcome(event, "ok", "set " + created.getString("id") + ", " + created.getString("tag")
                        + (dryRun ? ", dry run" : "")));
                return created;
            } catch (RuntimeException e) {
                audit.record(withOutcome(event, "failed", e.getMessage()));
                throw e;
            }
        }, false).onSuccess(j -> HttpErrors.json(ctx, 201, j)).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    private static AuditEvent withOutcome(AuditEvent e, String outcome, String detail) {
        return new AuditEvent(0, e.at(), e.actor(), e.action(), e.object(), outcome, e.source(), detail);
    }

    private JsonObject deploy(String envName, String tag, boolean dryRun, String toVersion) {
        EnvConfig env = config.env(envName).orElseThrow(() -> new FlotillaException(ErrorCode.NOT_FOUND,
                "env \"" + envName + "\" is not in the project file; envs: " + envNames()));
        String dir = env.registryDirectory().orElseThrow(() -> new FlotillaException(ErrorCode.CONFIG_INVALID,
                "env \"" + envName + "\" reads " + env.migrationDir() + "; a fleet rollout needs a pushed"
                + " directory: push it with 'flotilla migrate push NAME' and set migration { dir = \"atlas://NAME\" }"));
        String t = tag != null ? tag : env.registryTag().orElse(null);
        DirectoryIndex.TagVersion v = index.find(dir, t).orElseThrow(() -> new FlotillaException(
                ErrorCode.NOT_FOUND, "directory \"" + dir + "\" has no " + (t == null ? "push yet" : "tag \"" + t
                + "\"") + "; push it with 'flotilla migrate push " + dir + (t == null ? "" : ":" + t) + "'"));
        if (!dryRun) {
            promotable(env, v);
        }
        Rollouts.Created c = fanOut.deploy(java.util.UUID.randomUUID().toString(), env, v, "CLI", dryRun, toVersion,
                policy.forEnv(env.name()).halt());
        return new JsonObject().put("id", c.id()).put("planned", c.planned()).put("env", env.name())
                .put("directory", dir).put("tag", v.tag()).put("versionId", v.versionId())
                .put("version", c.targetVersion())
                .put("url", "/deployments/sets/" + c.id());
    }

    /**
     * Refuses a version an env may not have yet: one its promotion source (flotilla.hcl
     * {@code promote_from}) has not reached on every target, naming the targets still behind.
     */
    private void promotable(EnvConfig env, DirectoryIndex.TagVersion v) {
        Optional<String> from = policy.promoteFrom(env.name());
        if (from.isEmpty()) {
            return;
        }
        try {
            RolloutStore store = rollouts.store();
            if (store.hasReached(from.get(), v.directory(), v.versionId())) {
                return;
            }
            String prefix = "env \"" + env.name() + "\" takes versions of " + v.directory() + " only once every target"
                    + " of env \"" + from.get() + "\" has them (flotilla.hcl promote_from); ";
            Optional<RolloutStore.SetRow> last = store.latestSet(from.get(), v.directory());
            if (last.isEmpty()) {
                throw new FlotillaException(ErrorCode.REQUEST_INVALID, prefix + "env \"" + from.get() + "\" has no"
                        + " deployment of " + v.directory() + " yet; deploy it there first with 'flotilla migrate apply"
                        + " --env " + from.get() + "'");
            }
            if (!last.get().versionId.equals(v.versionId())) {
                throw new FlotillaException(ErrorCode.REQUEST_INVALID, prefix + "its latest deployment (set "
                        + last.get().id + ") is of version " + last.get().targetVersion + " (" + shortId(last.get()
                        .versionId) + "), not " + v.latestVersion() + " (" + shortId(v.versionId()) + ")");
            }
            List<String> behind = store.behind(last.get().id, 10);
            throw new FlotillaException(ErrorCode.REQUEST_INVALID, prefix + "set " + last.get().id + " is "
                    + last.get().state + " and these targets are still behind: " + String.join(", ", behind)
                    + (behind.size() == 10 ? ", ..." : ""));
        } catch (java.sql.SQLException e) {
            throw new FlotillaException(ErrorCode.CONNECTION_FAILED, "coordinator store: " + e.getMessage(), e);
        }
    }

    private static String shortId(String versionId) {
        return versionId.length() > 12 ? versionId.substring(0, 12) : versionId;
    }

    /**
     * An env reached a version: every env promoted from it that follows the directory gets that
     * version now, once (the set id is derived from the source env, the version and the env).
     */
    private void promote(EnvReachedVersion reached) {
        for (String target : policy.promotedFrom(reached.getEnv())) {
            config.env(target).filter(env -> env.registryDirectory().map(reached.getDirectory()::equals).orElse(false))
                    .ifPresent(env -> jdbc().executeBlocking(() -> promote(env, reached.getEnv(), reached.getDirectory(),
                            reached.getVersionId(), reached.getVersion()), false));
        }
    }

    /**
     * Promotions a coordinator missed because it stopped between an env reaching a version and
     * the promoted env's deployment: each promoted env gets the newest version its source reached,
     * unless it has a set of that version already. Blocking.
     */
    private void promoteMissed() {
        for (EnvConfig env : config.envs()) {
            Optional<String> from = policy.promoteFrom(env.name());
            Optional<String> dir = env.registryDirectory();
            if (from.isEmpty() || dir.isEmpty()) {
                continue;
            }
            try {
                Optional<String[]> reached = rollouts.store().reachedVersion(from.get(), dir.get());
                if (reached.isPresent() && !rollouts.store().hasSet(env.name(), dir.get(), reached.get()[0])) {
                    LOG.info("env {} reached {} of {} before the coordinator stopped; promoting it to env {} now",
                            from.get(), reached.get()[1], dir.get(), env.name());
                    promote(env, from.get(), dir.get(), reached.get()[0], reached.get()[1]);
                }
            } catch (java.sql.SQLException | RuntimeException e) {
                LOG.error("checking for missed promotions to env {} failed; deploy it with 'flotilla migrate apply"
                        + " --env {}': {}", env.name(), env.name(), e.getMessage());
            }
        }
    }

    /** Deploys a version an env reached to the env promoted from it. Blocking; never throws. */
    private Rollouts.Created promote(EnvConfig env, String from, String directory, String versionId, String version) {
        DirectoryIndex.TagVersion v = new DirectoryIndex.TagVersion(directory, "promoted", versionId, version);
        String setId = FanOut.setIdFor("promotion/" + from + "/" + versionId, env.name());
        try {
            Rollouts.Created c = fanOut.deploy(setId, env, v, "PROMOTION", false, null, policy.forEnv(env.name()).halt());
            LOG.info("env {} reached {} of {}: promoted to env {} as set {}", from, version, directory, env.name(),
                    c.id());
            return c;
        } catch (RuntimeException e) {
            LOG.error("promoting {} of {} from env {} to env {} failed; deploy it with 'flotilla migrate apply"
                    + " --env {}': {}", version, directory, from, env.name(), env.name(), e.getMessage());
            return null;
        }
    }

    /** An operator's action on a set: needs scope deploy on the set's env; recorded in the audit trail. */
    private void control(RoutingContext ctx, Rollouts.Action action) {
        JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? new JsonObject()
                : Requests.jsonBody(ctx, Set.of("target", "failed", "reason"));
        String setId = ctx.pathParam("id");
        if (!setId.matches("[0-9A-Za-z-]{1,64}")) {
            throw Requests.invalid("\"" + setId + "\" is not a deployment set id; list sets with 'flotilla cloud"
                    + " migration list'");
        }
        String target = Requests.string(body, "target");
        boolean failed = Requests.bool(body, "failed", false);
        String reason = Requests.string(body, "reason");
        if (action == Rollouts.Action.RETRY && (target == null) == !failed) {
            throw Requests.invalid("retry needs either \"target\" (one target's name) or \"failed\": true (every"
                    + " failed target)");
        }
        String verb = action.name().toLowerCase(java.util.Locale.ROOT);
        jdbc().executeBlocking(() -> {
            RolloutStore.SetRow s = rollouts.store().find(setId).orElseThrow(() -> new FlotillaException(
                    ErrorCode.NOT_FOUND, "deployment set " + setId + " is not known to the coordinator; list sets"
                    + " with 'flotilla cloud migration list'"));
            api.require(ctx, Scope.DEPLOY, "env", s.env);
            AuditEvent event = Api.event(ctx, "rollout." + verb, "set " + setId, "ok", null);
            String detail = (target == null ? "" : "target " + target) + (reason == null ? "" : ", reason: " + reason);
            try {
                RolloutStore.SetRow after = rollouts.act(setId, action, target, reason, Api.principal(ctx).name());
                audit.record(withOutcome(event, "ok", (detail.isEmpty() ? "" : detail + "; ") + "now " + after.state));
                return new JsonObject().put("id", after.id).put("env", after.env).put("state", after.state.name())
                        .put("epoch", after.epoch).put("reason", after.reason).put("actor", after.actor);
            } catch (RuntimeException e) {
                audit.record(withOutcome(event, "failed", e.getMessage()));
                throw e;
            }
        }, false).onSuccess(j -> HttpErrors.json(ctx, 200, j)).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    private List<String> envNames() {
        return config.envs().stream().map(EnvConfig::name).toList();
    }

    @Override
    protected Future<Void> halt() {
        if (watcher != null) {
            watcher.stop(Duration.ofSeconds(10));
        }
        if (resultsLoop != null) {
            resultsLoop.stop(Duration.ofSeconds(10));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (dlq != null) {
            dlq.close(Duration.ofSeconds(5));
        }
        return Future.succeededFuture();
    }

    @Override
    public boolean ready() {
        return caughtUp && watcher != null && watcher.isUp() && resultsLoop != null && resultsLoop.isUp();
    }
}
