package dev.flotilla.cli.dev;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * How the services write their log lines: {@code text} for people, {@code json} (logback's
 * {@code JsonEncoder}, one object per line with the MDC) for log collectors. {@code logback.xml}
 * picks its appender by the {@code FLOTILLA_LOG_FORMAT} property, so choosing one is setting that
 * property and loading the configuration again.
 */
enum LogFormat {
    /** A line per event, as a person reads it. */
    TEXT,
    /** One JSON object per line. */
    JSON;

    /** {@code text} or {@code json}, in any case. */
    static LogFormat of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--log-format (FLOTILLA_LOG_FORMAT) is \"" + name
                    + "\"; it takes text or json");
        }
    }

    /** Switches logging to this format; nothing to do when logging already started in it. */
    void apply() {
        String wanted = name().toLowerCase(Locale.ROOT);
        String current = System.getProperty("FLOTILLA_LOG_FORMAT", System.getenv("FLOTILLA_LOG_FORMAT"));
        if (wanted.equals(current == null ? "text" : current)) {
            return;
        }
        System.setProperty("FLOTILLA_LOG_FORMAT", wanted);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.reset();
            try {
                new ContextInitializer(ctx).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot load the logging configuration again", e);
            }
        }
    }
}
