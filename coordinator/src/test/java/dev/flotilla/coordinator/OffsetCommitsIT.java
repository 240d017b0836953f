package dev.flotilla.coordinator;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.OffsetCommits;
import dev.flotilla.testkit.KafkaFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the results loop's offset commits ({@link OffsetCommits}) leave for the next reader: what it
 * applied, no more, on the real broker.
 */
class OffsetCommitsIT {
    private KafkaSettings kafka;
    private TopicPartition tp;

    @BeforeEach
    void sixRecords() throws Exception {
        kafka = KafkaSettings.plain(KafkaFixture.shared().bootstrapServers());
        String topic = "offset-commits-" + UUID.randomUUID();
        try (Admin admin = Admin.create(KafkaClients.admin(kafka, "offset-commits-it"))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClients.producer(kafka, "offset-commits-it"))) {
            for (int i = 0; i < 6; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, new byte[] {(byte) i})).get();
            }
        }
        tp = new TopicPartition(topic, 0);
    }

    @Test
    void onlyTheBatchesAppliedAreCommittedAndNotBeforeTheIntervalUnlessIdleOrClosing() {
        String group = "g-" + UUID.randomUUID();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(kafka, group, "it"))) {
            OffsetCommits commits = new OffsetCommits(c, Duration.ofHours(1));
            c.subscribe(List.of(tp.topic()), commits);
            List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(read::add);
                return read.size() == 6;
            });

            commits.applied(new ConsumerRecords<>(Map.of(tp, read.subList(0, 3)), Map.of()));
            assertThat(committed(c)).as("within the interval: not yet").isNull();

            // The loop stops before it applied the rest: they must be read again.
            commits.close();
            assertThat(committed(c).offset()).isEqualTo(3);
        }
        try (KafkaConsumer<String, byte[]> next = new KafkaConsumer<>(KafkaClients.consumer(kafka, group, "it-2"))) {
            OffsetCommits commits = new OffsetCommits(next, Duration.ofHours(1));
            next.subscribe(List.of(tp.topic()), commits);
            List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ConsumerRecords<String, byte[]> batch = next.poll(Duration.ofMillis(100));
                batch.forEach(read::add);
                if (!batch.isEmpty()) {
                    commits.applied(batch);
                }
                return read.size() == 3;
            });
            assertThat(read).extracting(ConsumerRecord::offset).containsExactly(3L, 4L, 5L);

            commits.idle(); // nothing more came: what was applied goes now
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                next.poll(Duration.ofMillis(50)); // completes the asynchronous commit
                OffsetAndMetadata o = committed(next);
                return o != null && o.offset() == 6;
            });
        }
    }

    private OffsetAndMetadata committed(KafkaConsumer<String, byte[]> c) {
        return c.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp);
    }
}
