package dev.flotilla.bench;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import dev.flotilla.protocol.avro.RolloutChanged;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a run left on the topics, after the run (so reading costs the measured run nothing):
 * when each command and result was produced, and each result's own start and end.
 */
final class TopicLog {
    /**
     * A terminal result.
     *
     * @param targetId target
     * @param status PASSED, NO_ACTION, FAILED…
     * @param startedMillis when the worker started applying (after connecting)
     * @param endedMillis when it finished
     * @param producedMillis the record's timestamp: when the worker sent it
     * @param errorCode the result's error code (e.g. SET_PAUSED for a SKIPPED one), or null
     * @param commandId {@code <set id>/<group's order>/<target's order in the group>}
     */
    record Result(String targetId, String status, long startedMillis, long endedMillis, long producedMillis,
            String errorCode, String commandId) {
    }

    /**
     * A set's rollout changing state, as the coordinator published it.
     *
     * @param state RUNNING, PAUSED, PASSED…
     * @param producedMillis the record's timestamp: when the coordinator sent it
     */
    record RolloutState(String state, long producedMillis) {
    }

    private final String bootstrap;

    /** How a set's {@code planned} targets ended, per their results; a target without one counts as failed. */
    static Outcome outcome(List<Result> results, int planned) {
        java.util.Set<String> targets = new java.util.HashSet<>();
        long[] lat = new long[results.size()];
        int n = 0;
        String firstError = null;
        for (Result r : results) {
            targets.add(r.targetId());
            if ("FAILED".equals(r.status())) {
                firstError = firstError == null ? r.targetId() + " FAILED" : firstError;
            } else {
                lat[n++] = (r.endedMillis() - r.startedMillis()) * 1_000_000L;
            }
        }
        int failed = results.size() - n + Math.max(0, planned - targets.size());
        return new Outcome(planned, failed, java.util.Arrays.copyOf(lat, n), firstError);
    }

    TopicLog(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    List<Result> results(String setId) {
        List<Result> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : read(Topics.RESULTS)) {
            SpecificRecord e = EventSerde.decode(r.value());
            if (e instanceof MigrationResult && setId.equals(((MigrationResult) e).getDeploymentSetId())) {
                MigrationResult m = (MigrationResult) e;
                out.add(new Result(m.getTargetId(), m.getStatus(), m.getStartedAt().toEpochMilli(),
                        m.getEndedAt().toEpochMilli(), r.timestamp(), m.getErrorCode(), m.getCommandId()));
            }
        }
        return out;
    }

    /** The set's {@code RolloutChanged} events on {@code flotilla.rollouts}, in the order they were published. */
    List<RolloutState> rolloutStates(String setId) {
        List<RolloutState> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : read(Topics.ROLLOUTS)) {
            SpecificRecord e = EventSerde.decode(r.value());
            if (e instanceof RolloutChanged && setId.equals(((RolloutChanged) e).getDeploymentSetId())) {
                out.add(new RolloutState(((RolloutChanged) e).getState(), r.timestamp()));
            }
        }
        return out;
    }

    /** Record timestamps of the set's commands. */
    long[] commandTimes(String setId) {
        List<Long> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : read(Topics.COMMANDS)) {
            MigrationCommand c = EventSerde.decode(r.value(), MigrationCommand.class);
            if (setId.equals(c.getDeploymentSetId())) {
                out.add(r.timestamp());
            }
        }
        return out.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic) {
        Map<String, Object> props = new HashMap<>(KafkaClients.consumer(KafkaSettings.plain(bootstrap), null, "bench-log"));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (!reached(c, end)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
