package dev.flotilla.cli.dev;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's logging configuration drops the broker's retried-write error, and no other. */
class RetriedBrokerErrorsTest {
    @Test
    void theCliConfigurationDropsOnlyTheBrokersRetriedWriteError() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(getClass().getResource("/logback.xml"));
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(context);
        seen.start();
        Logger broker = context.getLogger(RetriedBrokerErrors.LOGGER);
        broker.addAppender(seen);

        broker.error("Error processing append operation on partition flotilla.commands-6",
                new OutOfOrderSequenceException("Invalid sequence number for producer 3 at offset 834 in partition"
                        + " flotilla.commands-6: 1 (incoming seq. number). Expected sequence 0 for transactions v2"
                        + " idempotent producer with no existing state."));
        assertThat(seen.list).as("the retried write").isEmpty();

        broker.error("Error processing append operation on partition flotilla.commands-6",
                new OutOfOrderSequenceException("Out of order sequence number for producer 3 at offset 9 in partition"
                        + " flotilla.commands-6: 51 (incoming seq. number), 49 (current end sequence number)"));
        broker.error("Error processing append operation on partition flotilla.results-0",
                new org.apache.kafka.common.errors.KafkaStorageException("disk full"));
        assertThat(seen.list).as("any other error").hasSize(2);
    }
}
