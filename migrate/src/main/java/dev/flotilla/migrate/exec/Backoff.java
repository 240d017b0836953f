package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Polling back-off for the SQLite lock file, whose OS lock cannot be waited for with a timeout:
 * 25 ms doubling to 1 s, with jitter, until a deadline. PostgreSQL and MySQL wait in the server.
 * Also the one LOCK_TIMEOUT message of every dialect.
 */
final class Backoff {
    static final Logger LOG = LoggerFactory.getLogger(Backoff.class);

    private final long deadline;
    private long delayMillis = 25;

    Backoff(Duration timeout) {
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** Waits before the next try; false when the deadline has passed. */
    boolean pause() {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        long jittered = delayMillis / 2 + ThreadLocalRandom.current().nextLong(delayMillis / 2 + 1);
        LockSupport.parkNanos(Math.min(left, Duration.ofMillis(jittered).toNanos()));
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new FlotillaException(ErrorCode.LOCK_TIMEOUT, "interrupted while waiting for the migration lock");
        }
        delayMillis = Math.min(delayMillis * 2, 1000);
        return true;
    }

    static FlotillaException timeout(DatabaseUrl url, String schema, Duration timeout) {
        return new FlotillaException(ErrorCode.LOCK_TIMEOUT, "sql/migrate: acquiring the migration lock of "
                + url.redacted() + " (revisions schema \"" + schema + "\") timed out after " + timeout.toMillis()
                + "ms: another migration is running on this target; wait for it to finish or raise --lock-timeout");
    }
}
