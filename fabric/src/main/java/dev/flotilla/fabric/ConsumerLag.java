package dev.flotilla.fabric;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code flotilla_consumer_lag_records{group, topic}}: how many records of a topic this process's
 * consumer has still to read, summed over the partitions it is assigned, from Kafka's own
 * per-partition {@code records-lag} metric (the consumer's {@code metrics()}, read at each scrape).
 * Prometheus sums it over the group's members: {@code sum by (group, topic)}. The partition is
 * left out of the labels on purpose: the dashboards and alerts ask how far behind a group is, and
 * a label per partition would multiply the series by the partition count for every member.
 * Kafka reports a partition's lag once the consumer fetched from it; an idle member shows 0.
 * Reading {@code metrics()} from the scrape's thread is safe: unlike the consumer's other methods it
 * takes no lock, it only copies Kafka's concurrent map of metrics.
 */
public final class ConsumerLag {
    /** Name of the gauge. */
    public static final String NAME = "flotilla_consumer_lag_records";
    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";

    private ConsumerLag() {
    }

    /**
     * Registers the lag of the consumer in consumer group {@code group} on each of {@code topics}.
     *
     * @param consumer the process's current consumer of the group (a supervised loop makes a new one
     *     after a failure); null while there is none
     */
    public static void bind(MeterRegistry meters, String group, Supplier<? extends Consumer<?, ?>> consumer,
            String... topics) {
        for (String topic : topics) {
            Gauge.builder(NAME, consumer, s -> {
                Consumer<?, ?> c = s.get();
                return c == null ? 0 : lag(c.metrics(), topic);
            })
                    .description("records of the topic the consumer group has still to read, in this process's"
                            + " partitions").tags("group", group, "topic", topic)
                    // the supplier is often a lambda only the gauge holds: a weak reference would read NaN once collected
                    .strongReference(true).register(meters);
        }
    }

    /** The sum of the per-partition {@code records-lag} of {@code topic}; 0 with none reported. */
    static double lag(Map<MetricName, ? extends Metric> metrics, String topic) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if ("records-lag".equals(n.name()) && FETCH_GROUP.equals(n.group()) && n.tags().containsKey("partition")
                    && topic.equals(n.tags().get("topic"))) {
                Object v = e.getValue().metricValue();
                if (v instanceof Number x && !Double.isNaN(x.doubleValue())) {
                    sum += x.doubleValue();
                }
            }
        }
        return sum;
    }
}
