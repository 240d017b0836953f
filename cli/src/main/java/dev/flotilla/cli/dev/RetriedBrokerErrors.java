package dev.flotilla.cli.dev;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops the one ERROR line the embedded broker logs for a write its producer retries: with
 * Kafka's transactions v2 the broker refuses a partition's next batch of a transaction while the
 * first has no producer state yet, and the producer sends it again (KAFKA-18202). A million-target
 * fan-out logged eight such lines at its first transaction, with nothing lost. Every other error
 * of the broker's, and this exception with any other text, is logged as before.
 */
public final class RetriedBrokerErrors extends TurboFilter {
    static final String LOGGER = "kafka.server.ReplicaManager";
    static final String EXCEPTION = "org.apache.kafka.common.errors.OutOfOrderSequenceException";
    static final String TEXT = "for transactions v2 idempotent producer with no existing state";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        return t != null && level == Level.ERROR && LOGGER.equals(logger.getName())
                && EXCEPTION.equals(t.getClass().getName()) && String.valueOf(t.getMessage()).contains(TEXT)
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
