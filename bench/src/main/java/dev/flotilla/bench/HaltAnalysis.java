package dev.flotilla.bench;

import java.util.Comparator;
import java.util.List;

/**
 * When a rollout's halt threshold was crossed, and what started after: from the set's results as
 * they were produced on {@code flotilla.results}. Replays the results in record-time order through
 * the coordinator's rule ({@code failed >= failure_ratio × finished} once {@code finished >=
 * min_finished}, finished = passed + failed, one group) and takes the record time of the first
 * result after which it holds. A target "started" when its result says so ({@code startedAt});
 * SKIPPED results (a worker obeying the pause, {@code SET_PAUSED}) did not start anything.
 *
 * @param crossingMillis record time of the result that crossed the threshold; -1 when none did
 * @param finishedAtCrossing passed + failed results up to and including that one
 * @param failedAtCrossing failed results up to and including that one
 * @param startedAfter results not SKIPPED whose target started after the crossing
 * @param maxDelayMillis how long after the crossing the last of them started (0 when none)
 * @param skippedPaused SKIPPED results with error code SET_PAUSED
 */
record HaltAnalysis(long crossingMillis, int finishedAtCrossing, int failedAtCrossing, int startedAfter,
        long maxDelayMillis, int skippedPaused) {

    /** Analyses the results of one set with the env's halt settings. */
    static HaltAnalysis of(List<TopicLog.Result> results, double failureRatio, int minFinished) {
        List<TopicLog.Result> byTime = results.stream()
                .sorted(Comparator.comparingLong(TopicLog.Result::producedMillis)).toList();
        int finished = 0;
        int failed = 0;
        long crossing = -1;
        for (TopicLog.Result r : byTime) {
            if ("SKIPPED".equals(r.status())) {
                continue;
            }
            finished++;
            failed += "FAILED".equals(r.status()) ? 1 : 0;
            if (finished >= minFinished && failed > 0 && failed >= failureRatio * finished) {
                crossing = r.producedMillis();
                break;
            }
        }
        int after = 0;
        long maxDelay = 0;
        int paused = 0;
        for (TopicLog.Result r : results) {
            if ("SKIPPED".equals(r.status())) {
                paused += "SET_PAUSED".equals(r.errorCode()) ? 1 : 0;
            } else if (crossing >= 0 && r.startedMillis() > crossing) {
                after++;
                maxDelay = Math.max(maxDelay, r.startedMillis() - crossing);
            }
        }
        return new HaltAnalysis(crossing, finished, failed, after, maxDelay, paused);
    }

    /** Results not SKIPPED whose target started more than {@code millis} after {@code fromMillis}. */
    static int startedLater(List<TopicLog.Result> results, long fromMillis, long millis) {
        int n = 0;
        for (TopicLog.Result r : results) {
            if (!"SKIPPED".equals(r.status()) && r.startedMillis() > fromMillis + millis) {
                n++;
            }
        }
        return n;
    }
}
