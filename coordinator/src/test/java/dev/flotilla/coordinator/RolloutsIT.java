package dev.flotilla.coordinator;

import dev.flotilla.coordinator.config.PolicyConfig;
import dev.flotilla.coordinator.config.Target;
import dev.flotilla.coordinator.config.TargetSource;
import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.TopicSetup;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.EnvReachedVersion;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import dev.flotilla.testkit.KafkaFixture;
import dev.flotilla.testkit.ScratchDatabase;
import dev.flotilla.testkit.TestDatabases;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The rollout engine on the in-process Kafka cluster with its store on a scratch PostgreSQL: a set
 * is planned as groups, results are fed to it as workers would send them, and the test reads what
 * it published (commands, state changes, skipped targets) as a read-committed consumer does.
 */
class RolloutsIT {
    private static final DirectoryIndex.TagVersion V2 = new DirectoryIndex.TagVersion("app", "v2", "sha-of-v2",
            "20250102000000");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static KafkaFixture kafka;

    private ScratchDatabase storeDatabase;
    private ServiceStore store;
    private KafkaProducer<String, byte[]> producer;
    private Rollouts rollouts;
    private KafkaConsumer<String, byte[]> consumer;
    private final List<SpecificRecord> seen = new ArrayList<>();
    private final List<String> seenKeys = new ArrayList<>();
    private final List<Integer> seenPartitions = new ArrayList<>();
    private final List<EnvReachedVersion> toldReached = new ArrayList<>();

    @BeforeAll
    static void topics() {
        kafka = KafkaFixture.shared();
        TopicSetup.ensure(KafkaSettings.plain(kafka.bootstrapServers()));
    }

    @BeforeEach
    void setUp() {
        storeDatabase = TestDatabases.postgresDatabase("rollouts");
        store = ServiceStore.connect(storeDatabase.jdbcUrl(), null, null, 4, "test");
        producer = new KafkaProducer<>(new HashMap<>(KafkaClients.transactionalProducer(
                KafkaSettings.plain(kafka.bootstrapServers()), "rollouts-it", "rollouts-it-" + UUID.randomUUID())));
        producer.initTransactions();
        rollouts = new Rollouts(new RolloutStore(store), new EventTx(producer));
        rollouts.onReached(toldReached::add);
        Map<String, Object> config = new HashMap<>(KafkaClients.consumer(KafkaSettings.plain(kafka.bootstrapServers()),
                null, "rollouts-it"));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(config);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.COMMANDS, Topics.ROLLOUTS, Topics.RESULTS)) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    @AfterEach
    void tearDown() {
        consumer.close();
        producer.close(Duration.ofSeconds(10));
        store.close();
        storeDatabase.close();
    }

    @Test
    void aSetWithoutGroupsSendsEveryTargetAtOnceAndReachesTheVersionOnce() {
        String set = create(plan(null, List.of(flat(tenants(0, 3))), List.of()));

        List<MigrationCommand> commands = awaitCommands(set, 3);
        assertThat(keysOf(set)).containsExactlyInAnyOrder("prod/tenant_0", "prod/tenant_1", "prod/tenant_2");
        assertThat(commands).allSatisfy(c -> assertThat(c.getLane()).isNull());
        assertThat(lastState(set).getState()).isEqualTo("RUNNING");

        commands.forEach(c -> result(c, "PASSED"));
        awaitState(set, "PASSED");
        commands.forEach(c -> result(c, "PASSED")); // a replayed batch changes nothing

        await().atMost(PATIENCE).until(() -> !events(EnvReachedVersion.class, set).isEmpty());
        assertThat(events(EnvReachedVersion.class, set)).singleElement().satisfies(e -> {
            assertThat(e.getEnv() + " " + e.getDirectory() + " " + e.getVersion() + " " + e.getTargets())
                    .isEqualTo("prod app 20250102000000 3");
        });
        assertThat(toldReached).hasSize(1);
        assertThat(events(RolloutChanged.class, set)).extracting(RolloutChanged::getState)
                .containsExactly("RUNNING", "PASSED");
    }

    @Test
    void aFlatSetsCommandsAreSharedEquallyByTheCommandPartitionsSoEveryWorkerGetsItsShare() {
        int partitions = consumer.partitionsFor(Topics.COMMANDS).size();
        String set = create(plan(null, List.of(flat(tenants(0, 10 * partitions))), List.of()));

        awaitCommands(set, 10 * partitions);
        Map<Integer, Integer> perPartition = new HashMap<>();
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) instanceof MigrationCommand c && set.equals(c.getDeploymentSetId())) {
                perPartition.merge(seenPartitions.get(i), 1, Integer::sum);
                assertThat(seenKeys.get(i)).isEqualTo(c.getTargetId()); // still keyed by target
            }
        }
        // Hashed by target id (murmur2), these 120 fell 3 to 18 on one partition.
        assertThat(perPartition).hasSize(partitions).allSatisfy((p, n) -> assertThat(n).isEqualTo(10));
    }

    @Test
    void aStepOfMoreRecordsThanOneTransactionTakesGoesOutInPartsEachVisibleOnceCommitted() throws Exception {
        rollouts = new Rollouts(new RolloutStore(store), new EventTx(producer, 4));
        String set = create(plan(null, List.of(group("canary", 1, true, List.of(), tenants(0, 1)),
                group("rest", 3, true, List.of("canary"), tenants(1, 11))), List.of()));
        result(awaitCommands(set, 1).get(0), "PASSED");
        List<MigrationCommand> commands = awaitCommands(set, 11);
        assertThat(commands).extracting(MigrationCommand::getTargetName).doesNotHaveDuplicates();
        commands.stream().skip(1).forEach(c -> result(c, "PASSED"));
        awaitState(set, "PASSED");

        // A read-committed consumer sees the first part while the step is still being sent.
        MigrationCommand one = commands.get(0);
        int before = events(MigrationResult.class, set).size();
        java.util.concurrent.CompletableFuture<Void> publishing = java.util.concurrent.CompletableFuture.runAsync(
                () -> new EventTx(producer, 4).publish("test results", sink -> {
                    for (int i = 0; i < 5; i++) {
                        sink.send(Topics.RESULTS, one.getTargetId(), resultOf(one, "PASSED", null, null));
                    }
                    await().atMost(PATIENCE).until(() -> events(MigrationResult.class, set).size() >= before + 4);
                    sink.send(Topics.RESULTS, one.getTargetId(), resultOf(one, "PASSED", null, null));
                }));
        publishing.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> events(MigrationResult.class, set).size() == before + 6);
    }

    @Test
    void aCanaryGoesFirstThenTheNextGroupRunsOnItsLanes() {
        String set = create(plan(null, List.of(
                group("canary", 1, true, List.of(), tenants(0, 1)),
                group("rest", 2, true, List.of("canary"), tenants(1, 5))), List.of()));

        MigrationCommand canary = awaitCommands(set, 1).get(0);
        assertThat(canary.getTargetName() + " " + canary.getGroup() + " " + canary.getLane())
                .isEqualTo("tenant_0 canary " + set + "/canary/0");
        result(canary, "PASSED");

        List<MigrationCommand> rest = awaitCommands(set, 5).subList(1, 5);
        assertThat(rest).extracting(MigrationCommand::getGroup).containsOnly("rest");
        assertThat(rest).extracting(MigrationCommand::getLane).as("two lanes: at most two run at once, on any"
                + " number of workers").containsExactly(set + "/rest/0", set + "/rest/1", set + "/rest/0",
                        set + "/rest/1");
        assertThat(keysOf(set)).as("a lane is the command's key, so a lane's commands share a partition")
                .containsExactlyInAnyOrder(set + "/canary/0", set + "/rest/0", set + "/rest/1", set + "/rest/0",
                        set + "/rest/1");
        rest.forEach(c -> result(c, "PASSED"));
        awaitState(set, "PASSED");
    }

    @Test
    void aFailedFailGroupStopsItsTargetsNotStartedAndTheGroupsAfterItAndTheSetEndsHalted() {
        String set = create(plan(null, List.of(
                group("canary", 1, true, List.of(), tenants(0, 2)),
                group("rest", 0, true, List.of("canary"), tenants(2, 4))), List.of()));
        List<MigrationCommand> canary = awaitCommands(set, 2);

        failed(canary.get(0), "Error: sql/migrate: executing statement \"ALTER TABLE users ADD x int\": boom");
        // tenant_1 was sent on the same lane: the worker would skip it for GROUP_STOPPED ...
        RolloutChanged stopped = awaitStateMatching(set, c -> c.getStoppedGroups().contains("canary"));
        assertThat(stopped.getState()).isEqualTo("RUNNING");
        skipped(canary.get(1), "GROUP_STOPPED", "not started: group \"canary\" failed");

        RolloutChanged halted = awaitState(set, "HALTED");
        assertThat(halted.getReason()).contains("group \"canary\" failed", "group \"rest\" did not start",
                "flotilla rollout retry --set " + set + " --failed");
        assertThat(halted.getFailed() + "/" + halted.getSkipped()).isEqualTo("1/3");
        assertThat(commandsOf(set)).as("no target of the dependent group was sent").hasSize(2);
        assertThat(coordinatorSkips(set)).extracting(r -> r.getTargetName() + " " + r.getErrorCode())
                .containsExactlyInAnyOrder("tenant_2 DEPENDENCY", "tenant_3 DEPENDENCY");
        assertThat(coordinatorSkips(set)).allSatisfy(r -> assertThat(r.getError())
                .isEqualTo("not started: group \"rest\" depends on group \"canary\", which failed"));
        assertThat(toldReached).isEmpty();
    }

    @Test
    void aContinueGroupWithFailuresCountsAsCompleteForTheGroupsAfterIt() {
        String set = create(plan(null, List.of(
                group("canary", 0, false, List.of(), tenants(0, 2)),
                group("rest", 0, true, List.of("canary"), tenants(2, 3))), List.of()));
        List<MigrationCommand> canary = awaitCommands(set, 2);
        failed(canary.get(0), "boom");
        result(canary.get(1), "PASSED");

        MigrationCommand rest = awaitCommands(set, 3).get(2);
        assertThat(rest.getGroup()).isEqualTo("rest");
        result(rest, "PASSED");
        RolloutChanged end = awaitState(set, "FAILED");
        assertThat(end.getReason()).isEqualTo("1 target failed");
        assertThat(toldReached).isEmpty();
    }

    @Test
    void aGroupPastTheHaltThresholdPausesTheSetNamingTheFailuresAndResumeSendsWhatWasHeldBack() {
        PolicyConfig.Halt halt = new PolicyConfig.Halt(0.3, 3);
        String set = create(plan(halt, List.of(group("all", 2, false, List.of(), tenants(0, 6))), List.of()));
        List<MigrationCommand> sent = awaitCommands(set, 6);

        result(sent.get(0), "PASSED");
        result(sent.get(1), "PASSED");
        assertThat(lastState(set).getState()).isEqualTo("RUNNING");
        failed(sent.get(2), "Error: sql/migrate: executing statement \"CREATE UNIQUE INDEX\": duplicate key");

        RolloutChanged paused = awaitState(set, "PAUSED");
        assertThat(paused.getReason()).startsWith("halted: 1 of 3 finished targets of group \"all\" failed (33.3%,"
                + " the threshold is 30.0% once 3 finished): tenant_2: Error: sql/migrate:");
        assertThat(paused.getActor()).isNull();
        // Workers skip what they had not started, at the attempt they were sent with.
        skipped(sent.get(3), "SET_PAUSED", "paused");
        skipped(sent.get(4), "SET_PAUSED", "paused");
        result(sent.get(5), "PASSED"); // one was running already: it finishes

        awaitOnStore(set, "tenant_4", "PENDING");
        Rollouts.Action resume = Rollouts.Action.RESUME;
        assertThat(rollouts.act(set, resume, null, null, "alice").state).isEqualTo(RolloutStore.SetState.RUNNING);
        List<MigrationCommand> again = awaitCommands(set, 8).subList(6, 8);
        assertThat(again).extracting(c -> c.getTargetName() + " attempt " + c.getAttempt())
                .containsExactlyInAnyOrder("tenant_3 attempt 2", "tenant_4 attempt 2");
        assertThat(again).allSatisfy(c -> assertThat(c.getControlEpoch()).isEqualTo(lastState(set).getEpoch()));
        again.forEach(c -> result(c, "PASSED"));
        RolloutChanged end = awaitState(set, "FAILED");
        assertThat(end.getSucceeded() + "/" + end.getFailed()).isEqualTo("5/1");
    }

    @Test
    void pausingAndCancellingAreRecordedWithWhoDidItAndCancelSkipsWhatHadNotStarted() {
        String set = create(plan(null, List.of(
                group("canary", 1, true, List.of(), tenants(0, 1)),
                group("rest", 0, true, List.of("canary"), tenants(1, 3))), List.of()));
        MigrationCommand canary = awaitCommands(set, 1).get(0);

        rollouts.act(set, Rollouts.Action.PAUSE, null, null, "alice");
        assertThat(awaitState(set, "PAUSED").getActor()).isEqualTo("alice");
        FlotillaException twice = catchThrowableOfType(FlotillaException.class, () -> rollouts.act(set, Rollouts.Action.PAUSE, null, null,
                "bob"));
        assertThat(twice.code()).isEqualTo(ErrorCode.REQUEST_INVALID);
        assertThat(twice).hasMessage("cannot pause deployment set " + set + ": it is PAUSED; it is paused already;"
                + " resume it with 'flotilla rollout resume --set " + set + "'");
        result(canary, "PASSED");
        assertThat(commandsOf(set)).as("a paused set starts no group").hasSize(1);

        rollouts.act(set, Rollouts.Action.CANCEL, null, null, "bob");
        RolloutChanged cancelled = awaitState(set, "CANCELLED");
        assertThat(cancelled.getActor() + ": " + cancelled.getReason()).isEqualTo("bob: cancelled by bob");
        await().atMost(PATIENCE).until(() -> coordinatorSkips(set).size() == 2);
        assertThat(coordinatorSkips(set)).extracting(r -> r.getTargetName() + " " + r.getErrorCode())
                .containsExactlyInAnyOrder("tenant_1 CANCELLED", "tenant_2 CANCELLED");
        FlotillaException resume = catchThrowableOfType(FlotillaException.class, () -> rollouts.act(set, Rollouts.Action.RESUME, null, null,
                "bob"));
        assertThat(resume).hasMessageContaining("it is CANCELLED");
    }

    @Test
    void retryingTheFailedTargetsSendsThemAgainAndTheSetCanPass() {
        String set = create(plan(null, List.of(flat(tenants(0, 3))), List.of()));
        List<MigrationCommand> sent = awaitCommands(set, 3);
        result(sent.get(0), "PASSED");
        failed(sent.get(1), "boom");
        failed(sent.get(2), "boom");
        awaitState(set, "FAILED");

        rollouts.act(set, Rollouts.Action.RETRY, "tenant_1", null, "carol");
        MigrationCommand one = awaitCommands(set, 4).get(3);
        assertThat(one.getTargetName() + " attempt " + one.getAttempt()).isEqualTo("tenant_1 attempt 2");
        assertThat(awaitState(set, "RUNNING").getReason()).isEqualTo("retried by carol (tenant_1)");
        failed(sent.get(1), "an older attempt's result is ignored");
        result(one, "PASSED");
        awaitState(set, "FAILED");

        rollouts.act(set, Rollouts.Action.RETRY, null, null, "carol");
        MigrationCommand two = awaitCommands(set, 5).get(4);
        assertThat(two.getTargetName() + " attempt " + two.getAttempt()).isEqualTo("tenant_2 attempt 2");
        result(two, "PASSED");
        awaitState(set, "PASSED");
        assertThat(toldReached).hasSize(1);
    }

    @Test
    void aSkippedTargetIsSkippedNotSyncedAndTheEnvDoesNotReachTheVersion() {
        String set = create(plan(null, List.of(flat(tenants(0, 2))), List.of()));
        List<MigrationCommand> sent = awaitCommands(set, 2);
        result(sent.get(0), "PASSED");

        FlotillaException noReason = catchThrowableOfType(FlotillaException.class, () -> rollouts.act(set, Rollouts.Action.SKIP, "tenant_1",
                " ", "dave"));
        assertThat(noReason).hasMessageContaining("skipping needs a target and a reason");
        FlotillaException unknown = catchThrowableOfType(FlotillaException.class, () -> rollouts.act(set, Rollouts.Action.SKIP, "tenant_9",
                "gone", "dave"));
        assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(unknown).hasMessageContaining("has no target \"tenant_9\" in env \"prod\"");

        rollouts.act(set, Rollouts.Action.SKIP, "tenant_1", "decommissioned tenant", "dave");
        RolloutChanged end = awaitState(set, "PASSED");
        assertThat(end.getReason()).isEqualTo("1 target was skipped");
        assertThat(coordinatorSkips(set)).singleElement().satisfies(r -> {
            assertThat(r.getTargetName() + " " + r.getErrorCode() + " " + r.getAttempt()).isEqualTo("tenant_1 OPERATOR 2");
            assertThat(r.getError()).isEqualTo("skipped by dave: decommissioned tenant");
        });
        result(sent.get(1), "PASSED"); // the command that was still running: older attempt, ignored
        assertThat(toldReached).as("a skipped target did not reach the version").isEmpty();
    }

    @Test
    void targetsNoGroupMatchesAreSkippedWithTheReason() {
        String set = create(plan(null, List.of(group("eu", 0, true, List.of(), tenants(0, 1))), tenants(1, 2)));
        MigrationCommand eu = awaitCommands(set, 1).get(0);
        await().atMost(PATIENCE).until(() -> coordinatorSkips(set).size() == 1);
        assertThat(coordinatorSkips(set)).singleElement().satisfies(r -> {
            assertThat(r.getTargetName() + " " + r.getErrorCode()).isEqualTo("tenant_1 UNMATCHED");
            assertThat(r.getError()).isEqualTo("matches no group of deployment \"staged\"; add a group without match"
                    + " to take the rest");
        });
        result(eu, "PASSED");
        assertThat(awaitState(set, "PASSED").getSkipped()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------

    private String create(Rollouts.Plan p) {
        return rollouts.create(p).id();
    }

    /** A group as a test plans it: the group and its targets, in order. */
    private record Planned(Rollouts.PlannedGroup group, List<Target> targets) {
    }

    private static Rollouts.Plan plan(PolicyConfig.Halt halt, List<Planned> groups, List<Target> unmatched) {
        boolean flat = groups.size() == 1 && Rollouts.FLAT.equals(groups.get(0).group().name());
        Rollouts.Feed feed = sink -> {
            groups.forEach(g -> g.targets().forEach(t -> sink.accept(t, g.group().name(), List.of())));
            unmatched.forEach(t -> sink.accept(t, null, List.of()));
            return TargetSource.Order.LISTED;
        };
        return new Rollouts.Plan(UUID.randomUUID().toString(), "prod", V2, V2.latestVersion(), "CLI", false, null, null,
                halt, groups.stream().map(Planned::group).toList(), feed, flat ? null : "staged");
    }

    private static Planned flat(List<Target> targets) {
        return new Planned(new Rollouts.PlannedGroup(Rollouts.FLAT, 0, false, List.of()), targets);
    }

    private static Planned group(String name, int parallel, boolean failFast, List<String> dependsOn,
            List<Target> targets) {
        return new Planned(new Rollouts.PlannedGroup(name, parallel, failFast, dependsOn), targets);
    }

    private static List<Target> tenants(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> new Target("tenant_" + i,
                "postgres://app:s3cret@db:5432/app?search_path=tenant_" + i)).toList();
    }

    private void result(MigrationCommand c, String status) {
        rollouts.onResults(c.getDeploymentSetId(), List.of(resultOf(c, status, null, null)));
    }

    private void failed(MigrationCommand c, String error) {
        rollouts.onResults(c.getDeploymentSetId(), List.of(resultOf(c, "FAILED", error, "STATEMENT_FAILED")));
    }

    private void skipped(MigrationCommand c, String code, String why) {
        rollouts.onResults(c.getDeploymentSetId(), List.of(resultOf(c, "SKIPPED", why, code)));
    }

    private static MigrationResult resultOf(MigrationCommand c, String status, String error, String code) {
        Instant now = Instant.now();
        return MigrationResult.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(now)
                .setDeploymentSetId(c.getDeploymentSetId()).setTargetId(c.getTargetId()).setCommandId(c.getCommandId())
                .setAttempt(c.getAttempt()).setEnv(c.getEnv()).setDirectory(c.getDirectory())
                .setVersionId(c.getVersionId()).setTargetName(c.getTargetName()).setRedactedUrl(c.getRedactedUrl())
                .setStatus(status).setToVersion(c.getTargetVersion()).setFiles(List.of()).setError(error)
                .setErrorCode(code).setStartedAt(now).setEndedAt(now).setWorkerId("it").build();
    }

    /** Reads what was published so far (read committed) into {@link #seen}. */
    private void drain() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            seen.add(EventSerde.decode(r.value()));
            seenKeys.add(r.key());
            seenPartitions.add(r.partition());
        }
    }

    private <T extends SpecificRecord> List<T> events(Class<T> type, String set) {
        drain();
        List<T> out = new ArrayList<>();
        for (SpecificRecord e : seen) {
            if (type.isInstance(e) && set.equals(setIdOf(e))) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    private static String setIdOf(SpecificRecord e) {
        if (e instanceof MigrationCommand c) {
            return c.getDeploymentSetId();
        } else if (e instanceof RolloutChanged r) {
            return r.getDeploymentSetId();
        } else if (e instanceof MigrationResult r) {
            return r.getDeploymentSetId();
        }
        return e instanceof EnvReachedVersion e2 ? e2.getDeploymentSetId() : null;
    }

    /** The set's commands in the order they were sent (by group, then by target order). */
    private List<MigrationCommand> commandsOf(String set) {
        return events(MigrationCommand.class, set).stream()
                .sorted(Comparator.comparing(MigrationCommand::getOccurredAt)
                        .thenComparing(MigrationCommand::getIndex)).toList();
    }

    private List<String> keysOf(String set) {
        drain();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i) instanceof MigrationCommand c && set.equals(c.getDeploymentSetId())) {
                keys.add(seenKeys.get(i));
            }
        }
        return keys;
    }

    private List<MigrationCommand> awaitCommands(String set, int count) {
        await().atMost(PATIENCE).until(() -> commandsOf(set).size() >= count);
        assertThat(commandsOf(set)).hasSize(count);
        return commandsOf(set);
    }

    private List<MigrationResult> coordinatorSkips(String set) {
        return events(MigrationResult.class, set).stream().filter(r -> "coordinator".equals(r.getWorkerId())).toList();
    }

    private RolloutChanged lastState(String set) {
        List<RolloutChanged> states = events(RolloutChanged.class, set);
        assertThat(states).as("state changes of set " + set).isNotEmpty();
        return states.stream().max(Comparator.comparingInt(RolloutChanged::getEpoch)).orElseThrow();
    }

    private RolloutChanged awaitState(String set, String state) {
        return awaitStateMatching(set, c -> c.getState().equals(state));
    }

    private RolloutChanged awaitStateMatching(String set, Predicate<RolloutChanged> p) {
        await().atMost(PATIENCE).until(() -> !events(RolloutChanged.class, set).isEmpty() && p.test(lastState(set)));
        return lastState(set);
    }

    private void awaitOnStore(String set, String target, String state) {
        await().atMost(PATIENCE).until(() -> {
            try (var c = store.connection(); var ps = c.prepareStatement("SELECT state FROM coordinator_rollout_targets"
                    + " WHERE set_id = ? AND target_name = ?")) {
                ps.setString(1, set);
                ps.setString(2, target);
                try (var rs = ps.executeQuery()) {
                    return rs.next() && state.equals(rs.getString(1));
                }
            }
        });
    }
}
