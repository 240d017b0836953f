package dev.flotilla.aggregator;

import dev.flotilla.fabric.KafkaClients;
import dev.flotilla.fabric.KafkaSettings;
import dev.flotilla.fabric.SupervisedLoop;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.Topics;
import dev.flotilla.protocol.avro.DeadLetter;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.testkit.KafkaFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The consume loop on the in-process Kafka cluster: events it cannot use go to the dead-letter topic, not in its way. */
class ResultsConsumerIT {
    private static final String SET = "33333333-3333-3333-3333-333333333333";

    @Test
    void anEventTheViewsRejectIsParkedAndTheEventsAfterItBecomeVisible() throws Exception {
        KafkaFixture kafka = KafkaFixture.shared();
        kafka.createTopics(3, Topics.DIRECTORIES, Topics.DEPLOYMENTS, Topics.COMMANDS, Topics.RESULTS,
                Topics.DEAD_LETTERS);
        Events ev = new Events(Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ViewStore store = new ViewStore("loop");
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(new HashMap<>(
                     KafkaClients.producer(KafkaSettings.plain(kafka.bootstrapServers()), "loop-test")))) {
            ResultsConsumer loop = new ResultsConsumer(KafkaSettings.plain(kafka.bootstrapServers()), store.db, meters);
            SupervisedLoop supervisor = SupervisedLoop.start("loop-test-consumer", loop);
            try {
                MigrationCommand noSet = MigrationCommand.newBuilder(ev.command(SET, "prod/tenant_2", "2", 0))
                        .setDeploymentSetId(null).build();
                send(producer, Topics.DEPLOYMENTS, SET, EventSerde.encode(ev.set(SET, "2", 2)));
                send(producer, Topics.COMMANDS, "prod/tenant_1", EventSerde.encode(ev.command(SET, "prod/tenant_1",
                        "2", 0)));
                long poison = send(producer, Topics.COMMANDS, "prod/tenant_2", EventSerde.encode(noSet));
                long garbage = send(producer, Topics.RESULTS, "prod/tenant_2",
                        "not an event".getBytes(StandardCharsets.UTF_8));
                send(producer, Topics.RESULTS, "prod/tenant_1", EventSerde.encode(ev.result(SET, "prod/tenant_1",
                        "PASSED", 1, "2", "2", 1)));

                await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(FlotillaException.class).untilAsserted(() -> assertThat(
                        store.queries().database("prod/tenant_1").getString("status")).isEqualTo("SYNCED"));
                assertThat(meters.get("flotilla_aggregator_results_total").counter().count()).isEqualTo(1.0);
                assertThat(deadLetters(kafka)).contains(Topics.COMMANDS + "@" + poison, Topics.RESULTS + "@" + garbage);
                await().atMost(Duration.ofSeconds(30)).until(loop::caughtUp);
                assertThat(supervisor.restarts()).as("a poison record does not end the loop").isZero();
            } finally {
                supervisor.stop(Duration.ofSeconds(30));
                loop.close();
            }
            assertThat(supervisor.isUp()).isFalse();
        }
    }

    private static long send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, value)).get().offset();
    }

    /** topic@offset of every dead letter, once there are at least two of this test's. */
    private static List<String> deadLetters(KafkaFixture kafka) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(new HashMap<>(
                KafkaClients.consumer(KafkaSettings.plain(kafka.bootstrapServers()), null, "loop-test-dlq")))) {
            List<TopicPartition> partitions = new ArrayList<>();
            c.partitionsFor(Topics.DEAD_LETTERS).forEach(p -> partitions.add(new TopicPartition(p.topic(),
                    p.partition())));
            c.assign(partitions);
            c.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    SpecificRecord e = EventSerde.decode(r.value());
                    DeadLetter d = (DeadLetter) e;
                    out.add(d.getTopic() + "@" + d.getOffset());
                }
                return out.size() >= 2;
            });
        }
        return out;
    }
}
