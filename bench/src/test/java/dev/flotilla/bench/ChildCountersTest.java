package dev.flotilla.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads this test's own JVM, as the benchmark reads {@code flotilla dev}'s (Linux, HotSpot with perf data on). */
class ChildCountersTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void hsperfdataCountsTheClassesThisJvmLoaded() {
        long loaded = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();

        ChildCounters c = ChildCounters.of(PID);

        assertThat(c.classes()).isBetween(loaded / 2, loaded * 2);
        assertThat(c.sharedClasses()).isBetween(0L, c.classes());
        assertThat(c.compiles()).isPositive();
        assertThat(c.cpuNanos()).isPositive();
    }

    @Test
    void aDifferenceCountsWhatHappenedBetweenTwoReadings() throws Exception {
        ChildCounters before = ChildCounters.of(PID);
        Class.forName("java.util.concurrent.Exchanger"); // not loaded by JUnit or AssertJ

        ChildCounters between = ChildCounters.of(PID).minus(before);

        assertThat(between.classes()).isPositive();
        assertThat(between.cpuNanos()).isNotNegative();
    }

    @Test
    void threadsAddUpByNameWithoutTheirNumbers() {
        assertThat(ChildCounters.threads(PID)).containsKey("VM Thread");
        assertThat(ChildCounters.busiest(java.util.Map.of("a", 5L), java.util.Map.of("a", 9L, "b", 1L), 1))
                .isEqualTo("a 4");
    }
}
