package dev.flotilla.aggregator;

import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How the consume loop cuts a polled batch so results need not wait behind a fan-out's commands. */
class ResultsConsumerChunksTest {
    private static final TopicPartition COMMANDS_0 = new TopicPartition(Topics.COMMANDS, 0);
    private static final TopicPartition COMMANDS_1 = new TopicPartition(Topics.COMMANDS, 1);
    private static final TopicPartition RESULTS_0 = new TopicPartition(Topics.RESULTS, 0);

    @Test
    void whileResultsFlowAFanOutsCommandsGoInPartsInTheirOrder() {
        // The results' partition last: the order a poll hands partitions out in is not fixed.
        Map<TopicPartition, Integer> sizes = new LinkedHashMap<>();
        sizes.put(COMMANDS_0, 250);
        sizes.put(COMMANDS_1, 120);
        sizes.put(RESULTS_0, 30);
        ConsumerRecords<String, Integer> batch = batch(sizes);

        List<ConsumerRecords<String, Integer>> parts = ResultsConsumer.chunks(batch, true);

        // The results first and whole: the polls between the parts read on from their partitions.
        assertThat(parts.get(0).partitions()).containsExactly(RESULTS_0);
        assertThat(parts.get(0).count()).isEqualTo(30);
        int commandParts = (370 + ResultsConsumer.CHUNK_WHILE_RESULTS_FLOW - 1) / ResultsConsumer.CHUNK_WHILE_RESULTS_FLOW;
        assertThat(parts).hasSize(1 + commandParts);
        assertThat(parts.subList(1, parts.size())).allSatisfy(p -> {
            assertThat(p.count()).isLessThanOrEqualTo(ResultsConsumer.CHUNK_WHILE_RESULTS_FLOW);
            assertThat(p.partitions()).doesNotContain(RESULTS_0);
        });
        for (TopicPartition tp : batch.partitions()) {
            List<Long> offsets = new ArrayList<>();
            parts.forEach(p -> p.records(tp).forEach(r -> offsets.add(r.offset())));
            assertThat(offsets).as(tp.toString()).isEqualTo(batch.records(tp).stream().map(ConsumerRecord::offset).toList());
        }
    }

    @Test
    void otherwiseABatchGoesWhole() {
        ConsumerRecords<String, Integer> commands = batch(Map.of(COMMANDS_0, 500));
        assertThat(ResultsConsumer.chunks(commands, false)).as("no results flowing: a fan-out alone")
                .containsExactly(commands);
        ConsumerRecords<String, Integer> results = batch(Map.of(RESULTS_0, 500));
        assertThat(ResultsConsumer.chunks(results, true)).as("results alone").containsExactly(results);
        int part = ResultsConsumer.CHUNK_WHILE_RESULTS_FLOW;
        ConsumerRecords<String, Integer> small = batch(Map.of(COMMANDS_0, part * 3 / 5, RESULTS_0, part - part * 3 / 5));
        assertThat(ResultsConsumer.chunks(small, true)).as("a part's worth").containsExactly(small);
    }

    @Test
    void aFanOutsFirstSecondOfCommandsIsCutEvenBeforeResultsFlow() {
        long ms = 1_000_000L;
        ResultsConsumer.FanOuts fanOuts = new ResultsConsumer.FanOuts(0);
        assertThat(fanOuts.begun(false, 0)).as("no commands").isFalse();
        assertThat(fanOuts.begun(true, 10 * ms)).as("a fan-out's first batch").isTrue();
        assertThat(fanOuts.begun(true, 400 * ms)).isTrue();
        assertThat(fanOuts.begun(true, 900 * ms)).isTrue();
        assertThat(fanOuts.begun(true, 1_300 * ms)).as("commands for over a second, no results: whole batches")
                .isFalse();
        assertThat(fanOuts.begun(true, 2_200 * ms)).isFalse();
        assertThat(fanOuts.begun(false, 2_500 * ms)).isFalse();
        assertThat(fanOuts.begun(true, 3_300 * ms)).as("commands again after a second without any: a new fan-out")
                .isTrue();
    }

    private static ConsumerRecords<String, Integer> batch(Map<TopicPartition, Integer> sizes) {
        Map<TopicPartition, List<ConsumerRecord<String, Integer>>> records = new LinkedHashMap<>();
        sizes.forEach((tp, n) -> {
            List<ConsumerRecord<String, Integer>> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                list.add(new ConsumerRecord<>(tp.topic(), tp.partition(), 1_000L + i, "k" + i, i));
            }
            records.put(tp, list);
        });
        return new ConsumerRecords<>(records, Map.of());
    }
}
