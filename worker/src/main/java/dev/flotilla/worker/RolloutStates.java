package dev.flotilla.worker;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.RolloutChanged;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a worker knows of each set's rollout: the latest {@link RolloutChanged} per set, read from
 * the compacted {@code flotilla.rollouts} from its start (no consumer group: every worker reads all
 * of it) and followed after. A command is not started when its set was paused or cancelled, or its
 * group stopped, at or after the epoch the command was sent in; a command sent after a resume
 * carries a later epoch than the pause, so it runs even before this worker hears of the resume.
 */
final class RolloutStates implements SupervisedLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutStates.class);

    /** Why a command is not started: the result's errorCode and its text. */
    record Skip(String code, String why) {
    }

    /** A set's latest state. */
    private record State(int epoch, String state, Set<String> stopped, String reason) {
    }

    private final KafkaSettings kafka;
    private final Map<String, State> sets = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    RolloutStates(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    @Override
    public void run(SupervisedLoop loop) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka, null,
                "worker-rollouts"))) {
            loop.onStop(consumer::wakeup);
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.ROLLOUTS);
            List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (loop.running()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    apply(r.value());
                }
                loop.up();
                if (caughtUp.getCount() > 0 && parts.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                    LOG.debug("rollout states read: {} sets", sets.size());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            LOG.debug("rollout states loop stopped");
        }
    }

    void apply(byte[] value) {
        SpecificRecord e;
        try {
            e = EventSerde.decode(value);
        } catch (RuntimeException ex) {
            return;
        }
        if (e instanceof RolloutChanged c && c.getDeploymentSetId() != null) {
            State next = new State(c.getEpoch(), c.getState(), Set.copyOf(c.getStoppedGroups()), c.getReason());
            sets.merge(c.getDeploymentSetId(), next, (old, n) -> n.epoch() >= old.epoch() ? n : old);
        }
    }

    /** Waits, at most {@code timeout}, until the topic was read up to where it ended at the start. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why this command must not start, or empty when it may. */
    Optional<Skip> skip(MigrationCommand c) {
        State s = c.getDeploymentSetId() == null ? null : sets.get(c.getDeploymentSetId());
        if (s == null || c.getControlEpoch() > s.epoch()) {
            return Optional.empty();
        }
        switch (s.state()) {
            case "PAUSED":
                return Optional.of(new Skip("SET_PAUSED", "not started: the rollout is paused"
                        + (s.reason() == null ? "" : " (" + s.reason() + ")") + "; it runs when the rollout is resumed"));
            case "CANCELLED":
                return Optional.of(new Skip("SET_CANCELLED", "not started: the rollout was cancelled"
                        + (s.reason() == null ? "" : " (" + s.reason() + ")")));
            default:
                if (c.getGroup() != null && s.stopped().contains(c.getGroup())) {
                    return Optional.of(new Skip("GROUP_STOPPED", "not started: group \"" + c.getGroup()
                            + "\" (on_error = FAIL) failed"));
                }
                return Optional.empty();
        }
    }
}
