package dev.flotilla.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HaltAnalysisTest {
    private static TopicLog.Result result(String status, long started, long produced) {
        return new TopicLog.Result("t" + produced, status, started, started + 1, produced, null, "s/0/" + produced);
    }

    @Test
    void theCrossingIsTheFirstResultInRecordTimeAfterWhichTheThresholdHolds() {
        List<TopicLog.Result> results = List.of(
                result("PASSED", 0, 10), result("PASSED", 5, 20), result("PASSED", 15, 30),
                result("FAILED", 25, 40), result("FAILED", 35, 50), // 2 of 5 failed: 0.4 >= 0.4
                result("FAILED", 45, 60), result("PASSED", 55, 70), result("PASSED", 49, 80),
                new TopicLog.Result("t9", "SKIPPED", 90, 90, 90, "SET_PAUSED", "s/0/9"));

        HaltAnalysis a = HaltAnalysis.of(results, 0.4, 5);

        assertThat(a.crossingMillis()).isEqualTo(50);
        assertThat(a.finishedAtCrossing()).isEqualTo(5);
        assertThat(a.failedAtCrossing()).isEqualTo(2);
        assertThat(a.startedAfter()).as("started at 55 (+5 ms); skipped ones started nothing").isEqualTo(1);
        assertThat(a.maxDelayMillis()).isEqualTo(5);
        assertThat(a.skippedPaused()).isEqualTo(1);
    }

    @Test
    void noCrossingBeforeMinFinished() {
        List<TopicLog.Result> results = List.of(result("FAILED", 0, 10), result("FAILED", 5, 20));

        HaltAnalysis a = HaltAnalysis.of(results, 0.2, 5);

        assertThat(a.crossingMillis()).isEqualTo(-1);
        assertThat(a.startedAfter()).isZero();
    }
}
