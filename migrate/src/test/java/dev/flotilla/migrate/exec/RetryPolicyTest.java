package dev.flotilla.migrate.exec;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.exec.FailureClassifier.Classification;
import dev.flotilla.migrate.exec.FailureClassifier.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Back-off arithmetic and the retry loop, with an injected random source and a sleeper that only records. */
class RetryPolicyTest {
    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(1);
    private static final Classification TRANSIENT = new Classification(Kind.TRANSIENT, ErrorCode.LOCK_TIMEOUT,
            "lock timeout");
    private static final Classification PERMANENT = new Classification(Kind.PERMANENT, ErrorCode.STATEMENT_FAILED,
            "syntax error");

    private final List<Duration> slept = new ArrayList<>();
    private final List<String> retries = new ArrayList<>();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private RetryPolicy policy(int attempts, double u) {
        return new RetryPolicy(attempts, BASE, CAP, () -> u, slept::add);
    }

    private static FlotillaException lockTimeout() {
        return new FlotillaException(ErrorCode.LOCK_TIMEOUT, "acquiring the migration lock timed out");
    }

    @Test
    void ceilingDoublesFromBaseUntilTheCap() {
        RetryPolicy p = policy(8, 0.5);

        assertThat(List.of(2, 3, 4, 5, 6, 7, 8)).extracting(p::maxDelayBefore).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
                CAP, CAP, CAP);
    }

    @Test
    void hugeAttemptNumbersDoNotOverflowPastTheCap() {
        RetryPolicy p = new RetryPolicy(200, Duration.ofNanos(1), Duration.ofDays(365), () -> 0.999, slept::add);

        assertThat(p.maxDelayBefore(200)).isEqualTo(Duration.ofDays(365));
        assertThat(p.maxDelayBefore(65)).isEqualTo(Duration.ofDays(365));
        assertThat(p.delayBefore(200)).isLessThanOrEqualTo(Duration.ofDays(365));
    }

    @Test
    void jitterSpansZeroToTheCeilingInclusive() {
        assertThat(policy(5, 0.0).delayBefore(3)).isEqualTo(Duration.ZERO);
        assertThat(policy(5, 0.5).delayBefore(3)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy(5, Math.nextDown(1.0)).delayBefore(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy(5, 7.0).delayBefore(3)).as("a misbehaving source is clamped")
                .isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void delaysStayWithinTheirCeilingAndGrowInExpectation() {
        Random random = new Random(20261123);
        RetryPolicy p = new RetryPolicy(10, BASE, CAP, random::nextDouble, slept::add);
        double previousMean = 0;
        for (int attempt = 2; attempt <= 10; attempt++) {
            long sum = 0;
            for (int i = 0; i < 2000; i++) {
                Duration d = p.delayBefore(attempt);
                assertThat(d).isBetween(Duration.ZERO, p.maxDelayBefore(attempt)).isLessThanOrEqualTo(CAP);
                sum += d.toNanos();
            }
            double mean = sum / 2000.0;
            double half = p.maxDelayBefore(attempt).toNanos() / 2.0;
            assertThat(mean).as("mean before attempt %d", attempt).isBetween(half * 0.9, half * 1.1);
            if (p.maxDelayBefore(attempt).compareTo(CAP) < 0) {
                assertThat(mean).as("mean before attempt %d", attempt).isGreaterThan(previousMean);
            }
            previousMean = mean;
        }
    }

    @Test
    void delayIsOnlyDefinedForAttemptsThatCanFollowAFailure() {
        RetryPolicy p = policy(5, 0.5);

        assertThatThrownBy(() -> p.delayBefore(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempt must be between 2 and 5, was 1");
        assertThatThrownBy(() -> p.delayBefore(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRetryOnlyTransientFailuresAndOnlyBelowMaxAttempts() {
        RetryPolicy p = policy(3, 0.5);

        assertThat(p.shouldRetry(1, TRANSIENT)).isTrue();
        assertThat(p.shouldRetry(2, TRANSIENT)).isTrue();
        assertThat(p.shouldRetry(3, TRANSIENT)).isFalse();
        assertThat(p.shouldRetry(1, PERMANENT)).isFalse();
    }

    @Test
    void retriesTransientFailuresUntilTheWorkSucceeds() {
        AtomicInteger calls = new AtomicInteger();

        String result = policy(5, 0.5).call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw lockTimeout();
            }
            return "applied";
        }, retries::add);

        assertThat(result).isEqualTo("applied");
        assertThat(calls).hasValue(3);
        assertThat(slept).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(retries).containsExactly(
                "attempt 1 of 5 failed (lock timeout); retrying in 50 ms: acquiring the migration lock timed out",
                "attempt 2 of 5 failed (lock timeout); retrying in 100 ms: acquiring the migration lock timed out");
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheClassifiedCodeAndReason() {
        AtomicInteger calls = new AtomicInteger();
        SQLException refused = new SQLException("Connection to 127.0.0.1:1 refused", "08001", 0,
                new ConnectException("Connection refused"));

        assertThatThrownBy(() -> policy(5, 0.5).call(() -> {
            calls.incrementAndGet();
            throw refused;
        }, retries::add))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("gave up after 5 attempts: connection refused; last error: Connection to 127.0.0.1:1"
                        + " refused")
                .hasCause(refused)
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(calls).hasValue(5);
        assertThat(slept).hasSize(4);
        assertThat(retries).hasSize(4);
    }

    @Test
    void aSingleAttemptPolicyNeverRetries() {
        assertThatThrownBy(() -> policy(1, 0.5).call(() -> {
            throw lockTimeout();
        }, retries::add)).hasMessageStartingWith("gave up after 1 attempt: lock timeout; last error: acquiring");
        assertThat(slept).isEmpty();
    }

    @Test
    void permanentFailuresAreNotRetriedAndUncheckedOnesAreRethrownAsTheyAre() {
        AtomicInteger calls = new AtomicInteger();
        FlotillaException checksum = new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "atlas.sum is stale");

        assertThatThrownBy(() -> policy(5, 0.5).call(() -> {
            calls.incrementAndGet();
            throw checksum;
        }, retries::add)).isSameAs(checksum);
        assertThat(calls).hasValue(1);
        assertThat(slept).isEmpty();
        assertThat(retries).isEmpty();
    }

    @Test
    void permanentCheckedFailuresAreWrappedWithTheirClassification() {
        SQLException syntax = new SQLException("syntax error at or near \"CREAT\"", "42601");

        assertThatThrownBy(() -> policy(5, 0.5).call(() -> {
            throw syntax;
        }, retries::add))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("syntax error: syntax error at or near \"CREAT\"")
                .hasCause(syntax)
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.STATEMENT_FAILED);
        assertThat(slept).isEmpty();
    }

    @Test
    void anInterruptDuringTheWaitStopsRetryingAndKeepsTheInterruptFlag() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy p = new RetryPolicy(5, BASE, CAP, () -> 0.5, d -> {
            throw new InterruptedException("shutdown");
        });

        assertThatThrownBy(() -> p.call(() -> {
            calls.incrementAndGet();
            throw lockTimeout();
        }, retries::add))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("interrupted after attempt 1 of 5 failed (lock timeout); not retrying: acquiring the"
                        + " migration lock timed out")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
        assertThat(calls).hasValue(1);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void anAlreadyInterruptedThreadDoesNotWait() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy(5, 0.5).call(() -> {
            calls.incrementAndGet();
            Thread.currentThread().interrupt();
            throw lockTimeout();
        }, retries::add)).hasMessageStartingWith("interrupted after attempt 1 of 5");
        assertThat(calls).hasValue(1);
        assertThat(slept).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void workThatIsInterruptedIsNotRetriedAndKeepsTheInterruptFlag() {
        assertThatThrownBy(() -> policy(5, 0.5).call(() -> {
            throw new InterruptedException("stop");
        }, retries::add)).isInstanceOf(FlotillaException.class).hasMessageStartingWith("interrupted during attempt 1");
        assertThat(slept).isEmpty();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    // --- the worker's path: failures thrown, or reported in the result of an apply ------------------

    /** An apply's outcome as the worker sees it: retriable when a statement hit a transient failure. */
    private record Run(String error, boolean retriable) {
        static final Run PASSED = new Run(null, false);
    }

    private static Run deadlock() {
        return new Run("Error 1213 (40001): Deadlock found when trying to get lock", true);
    }

    private static Optional<String> retryReason(Run r) {
        return r.retriable() ? Optional.of(r.error()) : Optional.empty();
    }

    @Test
    void retriableResultsAreRetriedWithBackoffUntilOneIsFinal() {
        AtomicInteger calls = new AtomicInteger();

        Run result = policy(5, 0.5).call(() -> calls.incrementAndGet() < 3 ? deadlock() : Run.PASSED,
                RetryPolicyTest::retryReason, retries::add);

        assertThat(result).isEqualTo(Run.PASSED);
        assertThat(calls).hasValue(3);
        assertThat(slept).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(retries).containsExactly(
                "attempt 1 of 5 failed; retrying in 50 ms: Error 1213 (40001): Deadlock found when trying to get lock",
                "attempt 2 of 5 failed; retrying in 100 ms: Error 1213 (40001): Deadlock found when trying to get lock");
    }

    @Test
    void aRetriableResultOfTheLastAttemptIsReturnedAsItIs() {
        AtomicInteger calls = new AtomicInteger();

        Run result = policy(3, 0.5).call(() -> {
            calls.incrementAndGet();
            return deadlock();
        }, RetryPolicyTest::retryReason, retries::add);

        assertThat(result).isEqualTo(deadlock());
        assertThat(calls).hasValue(3);
        assertThat(slept).hasSize(2);
    }

    @Test
    void thrownAndReportedTransientFailuresShareOneAttemptCount() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy(3, 0.5).call(() -> {
            if (calls.incrementAndGet() == 2) {
                return deadlock();
            }
            throw lockTimeout();
        }, RetryPolicyTest::retryReason, retries::add))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("gave up after 3 attempts: lock timeout; last error: acquiring the migration lock timed out")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.LOCK_TIMEOUT);
        assertThat(calls).hasValue(3);
        assertThat(slept).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(retries).containsExactly(
                "attempt 1 of 3 failed (lock timeout); retrying in 50 ms: acquiring the migration lock timed out",
                "attempt 2 of 3 failed; retrying in 100 ms: Error 1213 (40001): Deadlock found when trying to get lock");
    }

    @Test
    void aPermanentFailureFailsAtOnceWhereResultsAreRetried() {
        AtomicInteger calls = new AtomicInteger();
        FlotillaException checksum = new FlotillaException(ErrorCode.CHECKSUM_MISMATCH, "atlas.sum is stale");

        assertThatThrownBy(() -> policy(5, 0.5).call(() -> {
            calls.incrementAndGet();
            throw checksum;
        }, RetryPolicyTest::retryReason, retries::add)).isSameAs(checksum);
        assertThat(calls).hasValue(1);
        assertThat(slept).isEmpty();
        assertThat(retries).isEmpty();
    }

    @Test
    void aFinalFailedResultIsNotRetried() {
        Run syntax = new Run("pq: syntax error at or near \"CREAT\"", false);

        assertThat(policy(5, 0.5).call(() -> syntax, RetryPolicyTest::retryReason, retries::add)).isSameAs(syntax);
        assertThat(slept).isEmpty();
    }

    @Test
    void anInterruptWhileWaitingToRetryAResultStopsAndReturnsThatResult() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy p = new RetryPolicy(5, BASE, CAP, () -> 0.5, d -> {
            throw new InterruptedException("shutdown");
        });

        Run result = p.call(() -> {
            calls.incrementAndGet();
            return deadlock();
        }, RetryPolicyTest::retryReason, retries::add);

        assertThat(result).isEqualTo(deadlock());
        assertThat(calls).hasValue(1);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void anInterruptWhileWaitingAfterAThrownFailureStopsWithTheWorkersMessage() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy p = new RetryPolicy(5, BASE, CAP, () -> 0.5, d -> {
            throw new InterruptedException("shutdown");
        });

        assertThatThrownBy(() -> p.call(() -> {
            calls.incrementAndGet();
            throw lockTimeout();
        }, RetryPolicyTest::retryReason, retries::add))
                .isInstanceOf(FlotillaException.class)
                .hasMessageStartingWith("interrupted after attempt 1 of 5 failed (lock timeout); not retrying");
        assertThat(calls).hasValue(1);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void passwordsInRetriedResultsAreRedacted() {
        policy(2, 0.5).call(() -> new Run("lock on postgres://app:s3cret@db:5432/t timed out", true),
                RetryPolicyTest::retryReason, retries::add);

        assertThat(retries).singleElement().asString().doesNotContain("s3cret")
                .contains("postgres://app:xxxxx@db:5432/t");
    }

    @Test
    void realSleeperWaitsAndIsInterruptible() throws Exception {
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> RetryPolicy.THREAD_SLEEP.sleep(Duration.ofHours(1)))
                .isInstanceOf(InterruptedException.class);
    }

    @Test
    void passwordsInRetriedMessagesAreRedacted() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> policy(2, 0.5).call(() -> {
            calls.incrementAndGet();
            throw new FlotillaException(ErrorCode.LOCK_TIMEOUT, "lock on postgres://app:s3cret@db:5432/t timed out");
        }, retries::add)).hasMessageNotContaining("s3cret").hasMessageContaining("postgres://app:xxxxx@db:5432/t");
        assertThat(retries).singleElement().asString().doesNotContain("s3cret");
    }

    @Test
    void defaultsAreFiveAttemptsFrom200MillisCappedAtTenSeconds() {
        RetryPolicy p = RetryPolicy.defaults();

        assertThat(p.maxAttempts()).isEqualTo(5);
        assertThat(p.maxDelayBefore(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.maxDelayBefore(5)).isEqualTo(Duration.ofMillis(1600));
    }

    @Test
    void rejectsPoliciesThatCannotBeBounded() {
        assertThatThrownBy(() -> new RetryPolicy(0, BASE, CAP)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts must be at least 1, was 0");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, CAP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, CAP, BASE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retry back-off needs 0 < base <= cap, was base 1000 ms and cap 100 ms");
    }
}
