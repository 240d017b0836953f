package dev.flotilla.fabric;

import dev.flotilla.protocol.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** No topic needs a Kafka limit raised above its default (invariant 7): records refer to large content. */
class TopicSetupTest {
    @Test
    void noTopicRaisesTheRecordSizeAndTheDirectoriesTopicIsCompacted() {
        var topics = TopicSetup.all(KafkaSettings.plain("127.0.0.1:9092"), 3);

        assertThat(topics).allSatisfy(t -> assertThat(t.configs()).doesNotContainKey(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        NewTopic directories = topics.stream().filter(t -> t.name().equals(Topics.DIRECTORIES)).findFirst()
                .orElseThrow();
        assertThat(directories.configs()).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT);
    }
}
