package dev.flotilla.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the JVM's shared in-process Kafka when the test run ends, while the JVM is still whole,
 * rather than in a shutdown hook racing the test fork's exit (where a broker still closing its
 * logs can turn a passing run's exit code into a failure). Registered through
 * {@code META-INF/services}; the shutdown hook stays as the fallback for other launchers.
 */
public final class StopSharedFixtures implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        KafkaFixture.stopShared();
    }
}
