package dev.flotilla.fabric;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The lag of a topic is the sum of Kafka's per-partition {@code records-lag}, and nothing else. */
class ConsumerLagTest {
    @Test
    void sumsThePartitionsOfTheTopicAndIgnoresTheMaximaOtherTopicsAndUnknownLags() {
        Map<MetricName, Metric> m = new HashMap<>();
        put(m, "records-lag", Map.of("client-id", "w", "topic", "flotilla.commands", "partition", "0"), 7.0);
        put(m, "records-lag", Map.of("client-id", "w", "topic", "flotilla.commands", "partition", "3"), 5.0);
        put(m, "records-lag", Map.of("client-id", "w", "topic", "flotilla.commands", "partition", "4"), Double.NaN);
        put(m, "records-lag", Map.of("client-id", "w", "topic", "flotilla.results", "partition", "0"), 100.0);
        // per topic and per client maxima: already counted through the partitions
        put(m, "records-lag-max", Map.of("client-id", "w", "topic", "flotilla.commands"), 7.0);
        put(m, "records-lag-max", Map.of("client-id", "w"), 100.0);

        assertThat(ConsumerLag.lag(m, "flotilla.commands")).isEqualTo(12.0);
        assertThat(ConsumerLag.lag(m, "flotilla.results")).isEqualTo(100.0);
        assertThat(ConsumerLag.lag(m, "flotilla.deployments")).isZero();
    }

    private static void put(Map<MetricName, Metric> m, String name, Map<String, String> tags, double value) {
        MetricName n = new MetricName(name, "consumer-fetch-manager-metrics", "", tags);
        m.put(n, new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
